// The mini-react reference through stage 3 (events), in TypeScript: elements, a recursive
// render, and listeners for on* props.

export type Props = Record<string, unknown>;

export interface UIElement {
  type: string;
  props: Props & { children: UIElement[] };
}

type Child = UIElement | string | number | boolean | null | undefined | Child[];

const TEXT = "TEXT_ELEMENT";

export function createElement(type: string, props: Props | null, ...children: Child[]): UIElement {
  return {
    type,
    props: {
      ...props,
      children: flatten(children).filter(isRendered).map((child) => (typeof child === "object" ? child : createText(child))),
    },
  };
}

function flatten(children: Child[]): Exclude<Child, Child[]>[] {
  return children.flatMap((child) => (Array.isArray(child) ? flatten(child) : [child]));
}

function isRendered(child: Exclude<Child, Child[]>): child is UIElement | string | number {
  return child !== null && child !== undefined && child !== false && child !== true;
}

function createText(value: string | number): UIElement {
  return { type: TEXT, props: { nodeValue: String(value), children: [] } };
}

// ---- the DOM ----------------------------------------------------------------------------
const isEvent = (name: string): boolean => name.startsWith("on");
const isProp = (name: string): boolean => name !== "children" && name !== "key" && !isEvent(name);
const eventName = (name: string): string => name.slice(2).toLowerCase();

function createDom(element: UIElement): Node {
  if (element.type === TEXT) return document.createTextNode(String(element.props.nodeValue));
  const dom = document.createElement(element.type);
  for (const [name, value] of Object.entries(element.props)) {
    if (isProp(name)) setProp(dom, name, value);
    if (isEvent(name)) dom.addEventListener(eventName(name), value as EventListener);
  }
  for (const child of element.props.children) dom.appendChild(createDom(child));
  return dom;
}

function setProp(dom: HTMLElement, name: string, value: unknown): void {
  if (name in dom) (dom as unknown as Record<string, unknown>)[name] = value;
  else dom.setAttribute(name, String(value));
}

export function render(element: UIElement, container: HTMLElement): void {
  container.replaceChildren(createDom(element));
}
