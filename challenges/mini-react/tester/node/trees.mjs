// Element trees as plain data, built with any module's createElement, and seeded random ones.
// A tree is ["tag", {props}, ...children] where a child is a tree, a string, a number, or a
// hole (null, false, true) that renders nothing.

export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
    shuffle(list) {
      const out = [...list];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
  };
}

/** Build a data tree with ``h`` (a createElement). Functions in the tag place are
 * components; ``extra`` props (event handlers) are merged by path. */
export function build(tree, h) {
  if (!Array.isArray(tree)) return tree;
  const [type, props, ...children] = tree;
  return h(type, props, ...children.map((child) => build(child, h)));
}

const TAGS = ["div", "span", "p", "section", "em", "strong", "ul", "li", "h1", "button", "article"];
const WORDS = ["kiwi", "fig", "lime", "plum", "a < b", "Tom & Jerry", "naïve", "日本", "  spaced  ", "0"];

export function randomProps(r) {
  const props = {};
  if (r.chance(0.5)) props.id = `n${r.int(1000)}`;
  if (r.chance(0.5)) props.className = r.pick(["card", "item active", "x", "big red"]);
  if (r.chance(0.3)) props.title = r.pick(WORDS);
  if (r.chance(0.2)) props.lang = r.pick(["en", "fr", "ja"]);
  if (r.chance(0.2)) props.tabIndex = r.int(5);
  if (r.chance(0.15)) props.hidden = true;
  return props;
}

export function randomTree(r, depth = 3) {
  const children = [];
  const count = depth > 0 ? r.int(4) : 0;
  for (let i = 0; i < count; i++) children.push(randomChild(r, depth - 1));
  if (children.length === 0 && r.chance(0.7)) children.push(r.pick(WORDS));
  return [r.pick(TAGS), randomProps(r), ...children];
}

function randomChild(r, depth) {
  const roll = r.next();
  if (roll < 0.2) return r.pick(WORDS);
  if (roll < 0.27) return r.int(100);
  if (roll < 0.33) return r.pick([null, false, true]);
  return randomTree(r, depth);
}

/** The same tree shape with other props and texts: what an update sends. */
export function mutateTree(r, tree) {
  if (!Array.isArray(tree)) {
    if (typeof tree === "string" || typeof tree === "number") return r.chance(0.4) ? r.pick(WORDS) : tree;
    return tree;
  }
  const [type, props, ...children] = tree;
  const next = { ...props };
  for (const name of Object.keys(next)) {
    if (r.chance(0.3)) delete next[name];
  }
  if (r.chance(0.4)) Object.assign(next, randomProps(r));
  return [type, next, ...children.map((child) => mutateTree(r, child))];
}

/** A tree of about ``count`` elements: what time-slicing needs to have work to slice. */
export function bigTree(r, count, label) {
  const items = [];
  for (let i = 0; i < count; i++) items.push(["li", { className: `row ${label}` }, `${label} ${i}`, ["em", null, r.pick(WORDS)]]);
  return ["section", { id: label }, ["h1", null, label], ["ul", null, ...items]];
}
