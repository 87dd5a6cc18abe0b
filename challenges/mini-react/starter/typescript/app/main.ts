// Your UI library, in TypeScript. your_program.sh compiles this file to build/main.js, and
// crack's driver imports that into a browser-like DOM and calls what it exports:
// createElement first, then render, and later useState and useEffect.
// Begin with stage 1 (`crack task`): createElement(type, props, ...children) returns a
// plain object describing the element, { type, props: { ...props, children } }.

export type Props = Record<string, unknown>;

export interface UIElement {
  type: string | ((props: Props) => UIElement | null);
  props: Props & { children: Child[] };
}

export type Child = UIElement | string | number | boolean | null | undefined;

export function createElement(type: UIElement["type"], props: Props | null, ...children: Child[]) {
  // return { type, props: { ...props, children } };
}
