// Your UI library. crack's driver imports this module into a browser-like DOM and calls
// what it exports: createElement first, then render, and later useState and useEffect.
// Begin with stage 1 (`crack task`): createElement(type, props, ...children) returns a
// plain object describing the element, { type, props: { ...props, children } }.

export function createElement(type, props, ...children) {
  // return { type, props: { ...props, children } };
}
