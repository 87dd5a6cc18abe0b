// What every stage's check uses: failures in the learner's terms, rendering with a module and
// letting it settle, identity tags, DOM operation counts.
import { build } from "./trees.mjs";
import { settle } from "./env.mjs";

export class Failure extends Error {
  constructor(message, hint) {
    super(message);
    this.hint = hint;
  }
}

export function fail(message, hint) {
  throw new Failure(message, hint);
}

const MAX_SHOWN = 600;

export function clip(text) {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}… (${text.length} characters)` : text;
}

/** A data tree as JSX, for messages. */
export function jsx(tree) {
  if (tree === null || tree === false || tree === true) return `{${tree}}`;
  if (!Array.isArray(tree)) return typeof tree === "number" ? `{${tree}}` : JSON.stringify(tree).slice(1, -1);
  const [type, props, ...children] = tree;
  const name = typeof type === "function" ? type.name : type;
  const attrs = Object.entries(props ?? {})
    .map(([k, v]) => (typeof v === "string" ? ` ${k}="${v}"` : ` ${k}={${typeof v === "function" ? "fn" : JSON.stringify(v)}}`))
    .join("");
  if (children.length === 0) return `<${name}${attrs} />`;
  return `<${name}${attrs}>${children.map(jsx).join("")}</${name}>`;
}

export function newContainer(document) {
  const container = document.createElement("div");
  document.body.appendChild(container);
  return container;
}

export async function renderSettled(ctx, M, tree, container, who = "your render") {
  M.render(build(tree, M.createElement), container);
  await settleOrFail(ctx, who);
}

export async function settleOrFail(ctx, who = "your module") {
  if (!(await settle(ctx.idle))) {
    fail(`${who} kept requesting idle callbacks: after 400 rounds with plenty of time it still was not done.`,
      "when there is no work left, stop calling requestIdleCallback (or make the work loop finish)");
  }
  ctx.rethrow();
}

/** Every DOM node under ``root`` with its path ("0.2.1"). */
export function nodesByPath(root) {
  const out = new Map();
  const walk = (node, path) => {
    node.childNodes.forEach((child, i) => {
      const p = path ? `${path}.${i}` : `${i}`;
      out.set(p, child);
      walk(child, p);
    });
  };
  walk(root, "");
  return out;
}

export function describeNode(node) {
  if (!node) return "nothing";
  if (node.nodeType === 3) return `text ${JSON.stringify(node.data)}`;
  return `<${node.nodeName.toLowerCase()}>${node.id ? ` #${node.id}` : ""}`;
}

/** DOM operations seen by a MutationObserver: each node added or removed, each attribute
 * written, each text changed counts one. */
export function watch(container) {
  // records are delivered to the callback at the next microtask, and the work being watched
  // spans many tasks: keep what is delivered, and take what is still queued
  const delivered = [];
  const observer = new MutationObserver((records) => delivered.push(...records));
  observer.observe(container, { subtree: true, childList: true, attributes: true, characterData: true });
  return {
    take() {
      const counts = { added: 0, removed: 0, attributes: 0, texts: 0 };
      for (const record of [...delivered.splice(0), ...observer.takeRecords()]) {
        if (record.type === "childList") {
          counts.added += record.addedNodes.length;
          counts.removed += record.removedNodes.length;
        } else if (record.type === "attributes") counts.attributes++;
        else counts.texts++;
      }
      counts.total = counts.added + counts.removed + counts.attributes + counts.texts;
      return counts;
    },
    stop() {
      observer.disconnect();
    },
  };
}

export function showCounts(c) {
  const n = (count, one, many) => `${count} ${count === 1 ? one : many}`;
  return `${c.total} (${n(c.added, "node added", "nodes added")}, ${c.removed} removed, ${n(c.attributes, "attribute write", "attribute writes")}, ${n(c.texts, "text change", "text changes")})`;
}

/** Render ``before`` then ``after`` with ``M`` into a fresh container; return the HTML, the
 * operations the update took and the container. */
export async function update(ctx, M, before, after, who) {
  const container = newContainer(ctx.document);
  await renderSettled(ctx, M, before, container, who);
  const nodes = nodesByPath(container);
  const w = watch(container);
  await renderSettled(ctx, M, after, container, who);
  const ops = w.take();
  w.stop();
  return { container, html: html(container), ops, before: nodes };
}

const VOID = new Set(["input", "br", "img", "hr", "meta", "link"]);
const escapeText = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const DROPPED_WHEN_EMPTY = new Set(["id", "class", "title", "lang"]);

/** A container's HTML as innerHTML writes it, with attributes in name order: an update that
 * adds an attribute puts it last, a first render puts it in prop order, and both are the
 * same DOM. An empty id, class, title or lang attribute means what no attribute means
 * (react-dom removes the attribute of a prop that is gone, preact empties it), so those are
 * left out. */
export function html(root) {
  let out = "";
  for (const node of root.childNodes) {
    if (node.nodeType === 3) out += escapeText(node.data);
    else if (node.nodeType === 1) {
      const name = node.nodeName.toLowerCase();
      const attrs = [...node.attributes]
        .filter((a) => !(a.value === "" && DROPPED_WHEN_EMPTY.has(a.name)))
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((a) => ` ${a.name}="${a.value.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}"`)
        .join("");
      out += VOID.has(name) ? `<${name}${attrs}>` : `<${name}${attrs}>${html(node)}</${name}>`;
    }
  }
  return out;
}

export const sameHtml = (a, b) => a === b;

export async function expectHtml(ctx, tree, html, what) {
  const expected = await ctx.referenceHtml(tree);
  if (!sameHtml(html, expected)) {
    fail(`${what}\nrendered: ${clip(jsx(tree))}\nexpected container.innerHTML (react-dom's):\n  ${clip(expected)}\ngot:\n  ${clip(html)}`,
      htmlHint(expected, html));
  }
}

export function htmlHint(expected, got) {
  if (/ classname=/.test(got)) return "className is a property of the element: set it as element[name] = value (or map it to the class attribute), not setAttribute(\"className\", …)";
  if (/false|true|null/.test(got) && !/false|true|null/.test(expected)) return "null, false and true children render nothing: skip them instead of turning them into text";
  if (/ on[a-z]+=/.test(got)) return "event handlers are listeners (addEventListener), not attributes";
  if (got.length > expected.length && expected.length > 0 && got.includes(expected.slice(0, 20))) return "children that are gone must be removed from the DOM";
  return undefined;
}

export function assertSameNodes(before, container, paths, what) {
  const after = nodesByPath(container);
  for (const path of paths) {
    if (before.get(path) !== after.get(path)) {
      fail(`${what}: the DOM node at child path ${path} (${describeNode(before.get(path))}) was replaced by a new node (${describeNode(after.get(path))}) although its element type stayed the same.`,
        "compare the new element with the one rendered before: same type means update the existing DOM node's props, not create a new one");
    }
  }
}
