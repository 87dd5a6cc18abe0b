// One check per stage. Each receives ctx: the learner's module (M), the reference libraries
// (ctx.react, ctx.preact), the idle queue, the document, a seeded random source and a log.
import { bigTree, build, mutateTree, randomTree } from "./trees.mjs";
import {
  assertSameNodes, clip, html, describeNode, expectHtml, fail, jsx, newContainer, nodesByPath,
  renderSettled, settleOrFail, showCounts, update, watch,
} from "./support.mjs";
import { macrotask } from "./env.mjs";

/** querySelector, with #id written as [id="…"]: every check renders into a container of
 * its own, so the same id appears in several containers, and jsdom's id lookup finds only
 * the first in the document. */
function q(root, selector) {
  return root.querySelector(selector.replace(/#([\w-]+)/g, '[id="$1"]'));
}

// ---- createElement --------------------------------------------------------------------
function children(value) {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** An element in a neutral shape: text children may be plain strings or numbers (as React
 * keeps them) or TEXT_ELEMENT objects carrying nodeValue (as many small renderers do). */
function neutral(el) {
  if (typeof el === "string" || typeof el === "number") return { text: String(el) };
  if (el && el.type === "TEXT_ELEMENT") return { text: String(el.props?.nodeValue) };
  if (!el || typeof el !== "object" || !("type" in el) || !el.props) return { bad: el };
  const { children: kids, key, ...props } = el.props;
  return { type: el.type, props, children: children(kids).map(neutral) };
}

function expectedNeutral(tree) {
  if (!Array.isArray(tree)) return { text: String(tree) };
  const [type, props, ...kids] = tree;
  return { type, props: { ...(props ?? {}) }, children: kids.map(expectedNeutral) };
}

function show(value) {
  return clip(JSON.stringify(value, (k, v) => (typeof v === "function" ? `[function ${v.name}]` : v)));
}

export async function createElementStage(ctx) {
  const { M, r } = ctx;
  if (typeof M.createElement !== "function") fail("your module exports no function named createElement.", "export function createElement(type, props, ...children)");
  const fixed = [
    ["div", {}],
    ["a", { href: "/fruit", id: "k" }, "hello", ["b", {}, "bold"]],
    ["ul", { className: "list" }, ["li", {}, "one"], ["li", {}, "two"], ["li", {}, "three"], ["li", {}, 4]],
    ["p", {}, "text ", 42, " more"],
  ];
  const trees = [...fixed];
  for (let i = 0; i < 8; i++) trees.push(stripHoles(randomTree(r, 3)));
  for (const tree of trees) {
    let element;
    try {
      element = buildFrozen(tree, M.createElement);
    } catch (error) {
      if (error instanceof TypeError && /read.only|not extensible|Cannot assign|Cannot add/.test(error.message)) {
        fail(`createElement changed the props object it was given (${error.message}) while building ${clip(jsx(tree))}.`,
          "copy the props into a new object ({ ...props, children }) instead of adding children to the caller's object");
      }
      throw error;
    }
    const got = neutral(element);
    const expected = expectedNeutral(tree);
    if ("bad" in got) {
      fail(`createElement returned ${element === undefined ? "undefined" : show(element)} for ${clip(jsx(tree))}: an element is an object with a type and props.`,
        "return { type, props: { ...props, children } }");
    }
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      fail(`createElement built the wrong element for ${clip(jsx(tree))}\nexpected (type, props, children; text as strings): ${show(expected)}\ngot: ${show(got)}`,
        JSON.stringify(got).length < JSON.stringify(expected).length
          ? "keep every child: createElement(type, props, ...children) takes any number of them"
          : "the element is { type, props: { ...props, children } }: children go into props.children");
    }
  }
  const bare = neutral(M.createElement("span", null));
  if (bare.type !== "span" || JSON.stringify(bare.props) !== "{}") {
    fail(`createElement("span", null) should give a span with no props, got ${show(bare)}`, "props may be null: treat it as {}");
  }
  ctx.log(`${trees.length + 1} elements built with the right type, props and children`);
}

function stripHoles(tree) {
  if (!Array.isArray(tree)) return tree;
  const [type, props, ...kids] = tree;
  return [type, props, ...kids.filter((k) => k !== null && k !== false && k !== true).map(stripHoles)];
}

function buildFrozen(tree, h) {
  if (!Array.isArray(tree)) return tree;
  const [type, props, ...kids] = tree;
  return h(type, Object.freeze({ ...props }), ...kids.map((k) => buildFrozen(k, h)));
}

// ---- render ---------------------------------------------------------------------------
export async function renderStage(ctx) {
  const { M, r } = ctx;
  if (typeof M.render !== "function") fail("your module exports no function named render.", "export function render(element, container)");
  const trees = [
    ["div", { id: "app", className: "card" }, ["h1", { title: "Fruit" }, "Fruit"], ["p", {}, "kiwi & fig < lime"]],
    ["ul", {}, ["li", {}, 1], ["li", { hidden: true }, 2], null, false, true, ["li", { tabIndex: 3 }, "three"]],
    ["p", {}, "a", "", "b", 0, " ", "日本"],
  ];
  for (let i = 0; i < 10; i++) trees.push(randomTree(r, 3));
  for (const tree of trees) {
    const container = newContainer(ctx.document);
    await renderSettled(ctx, M, tree, container);
    await expectHtml(ctx, tree, html(container), "the DOM your render built differs from react-dom's");
  }
  ctx.log(`${trees.length} trees rendered exactly as react-dom renders them`);
}

// ---- events ---------------------------------------------------------------------------
export async function eventsStage(ctx) {
  const { M } = ctx;
  const calls = [];
  const record = (name) => (event) => calls.push(`${name}:${event.type}${event.key ? `:${event.key}` : ""}`);
  const tree = ["div", { id: "outer", onClick: record("outer") },
    ["button", { id: "inner", onClick: record("inner"), onMouseDown: record("inner") }, "press"],
    ["input", { id: "field", onInput: record("field"), onKeyDown: record("field") }],
    ["span", { id: "quiet" }, "no handler"]];
  const container = newContainer(ctx.document);
  await renderSettled(ctx, M, tree, container);
  await expectHtml(ctx, tree, html(container), "event handlers must not show in the DOM's HTML");
  const steps = [
    ["#inner", () => new MouseEvent("click", { bubbles: true }), ["inner:click", "outer:click"]],
    ["#inner", () => new MouseEvent("mousedown", { bubbles: true }), ["inner:mousedown"]],
    ["#field", () => new Event("input", { bubbles: true }), ["field:input"]],
    ["#field", () => new KeyboardEvent("keydown", { key: "q", bubbles: true }), ["field:keydown:q"]],
    ["#quiet", () => new MouseEvent("click", { bubbles: true }), ["outer:click"]],
  ];
  for (const [selector, make, expected] of steps) {
    calls.length = 0;
    const event = make();
    q(container, selector).dispatchEvent(event);
    await macrotask();
    if (JSON.stringify(calls) !== JSON.stringify(expected)) {
      fail(`dispatched a ${event.type} event on ${selector} in ${jsx(tree).replace(/=\{fn\}/g, "={handler}")}\nexpected handler calls: ${JSON.stringify(expected)}\ngot: ${JSON.stringify(calls)}`,
        calls.length === 0
          ? "a prop named on<Event> is a listener: addEventListener(name.slice(2).toLowerCase(), handler); onClick listens for \"click\""
          : "each handler should run once per event, and events bubble from the element to its parents");
    }
  }
  ctx.log("click, mousedown, input and keydown reached their handlers, bubbling to the parent");
}

// ---- updates in place -----------------------------------------------------------------
async function limitOps(ctx, before, after, mine, what, moveHint) {
  const theirs = [];
  for (const [name, lib] of [["react-dom", ctx.react], ["preact", ctx.preact]]) {
    const result = await update(ctx, lib, before, after, name);
    theirs.push([name, result.ops]);
  }
  const most = Math.max(...theirs.map(([, ops]) => ops.total));
  if (mine.total > most) {
    fail(`${what} took more DOM operations than react-dom and preact do.\nbefore: ${clip(jsx(before))}\nafter:  ${clip(jsx(after))}\nyours: ${showCounts(mine)}\n${theirs.map(([n, o]) => `${n}: ${showCounts(o)}`).join("\n")}`,
      mine.attributes + mine.texts > Math.max(...theirs.map(([, o]) => o.attributes + o.texts))
        ? "write only the props and texts that changed: compare each with its old value"
        : moveHint ?? "reuse DOM nodes whose element is still there, move as few as you can, and create or remove only what changed");
  }
  return theirs;
}

function samePathsOfSameType(before, after, prefix = "", out = []) {
  // paths (as nodesByPath numbers them) where both trees have an element of the same type,
  // reached only through elements of the same type; holes render nothing, so they are skipped
  const kids = (t) => (Array.isArray(t) ? t.slice(2).filter((k) => k !== null && k !== false && k !== true && k !== "") : []);
  const a = kids(before);
  const b = kids(after);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const path = prefix ? `${prefix}.${i}` : `${i}`;
    const textA = !Array.isArray(a[i]);
    const textB = !Array.isArray(b[i]);
    if (textA && textB) {
      // a Text node may be replaced: react-dom writes an element's only text as its
      // textContent, and makes new Text nodes when that text gains siblings
    } else if (!textA && !textB && a[i][0] === b[i][0]) {
      out.push(path);
      samePathsOfSameType(a[i], b[i], path, out);
    }
    if (textA !== textB || (!textA && a[i][0] !== b[i][0])) break; // positions after may shift
  }
  return out;
}


export async function updatePropsStage(ctx) {
  const { M, r } = ctx;
  const pairs = [[
    ["div", { id: "a", className: "card", title: "old" }, ["p", { lang: "en" }, "kiwi"], ["span", { hidden: true }, "x"]],
    ["div", { id: "b", className: "card big" }, ["p", { lang: "fr", title: "new" }, "fig"], ["span", {}, "x"]],
  ]];
  for (let i = 0; i < 8; i++) {
    const before = randomTree(r, 3);
    pairs.push([before, mutateTree(r, before)]);
  }
  for (const [before, after] of pairs) {
    const mine = await update(ctx, M, before, after);
    await expectHtml(ctx, after, mine.html, `after rendering ${clip(jsx(before))} into the container, rendering the next tree gave the wrong DOM`);
    assertSameNodes(mine.before, mine.container, ["0", ...samePathsOfSameType(["root", {}, before], ["root", {}, after])], "updating the props of a tree");
    await limitOps(ctx, before, after, mine.ops, "updating props and texts in place");
  }
  // handlers are props too: a new handler replaces the old one
  const calls = [];
  const container = newContainer(ctx.document);
  await renderSettled(ctx, M, ["button", { id: "b", onClick: () => calls.push("old") }, "go"], container);
  await renderSettled(ctx, M, ["button", { id: "b", onClick: () => calls.push("new") }, "go"], container);
  q(container, "#b").dispatchEvent(new MouseEvent("click", { bubbles: true }));
  await renderSettled(ctx, M, ["button", { id: "b" }, "go"], container);
  q(container, "#b").dispatchEvent(new MouseEvent("click", { bubbles: true }));
  if (JSON.stringify(calls) !== JSON.stringify(["new"])) {
    fail(`rendered <button onClick={old}>, then <button onClick={new}>, clicked, then <button> with no handler and clicked again\nexpected handler calls: ["new"]\ngot: ${JSON.stringify(calls)}`,
      "remove the old listener (removeEventListener with the old handler) when the handler changes or goes away");
  }
  ctx.log(`${pairs.length} updates matched react-dom with every node kept and no more DOM operations than react-dom or preact; handlers replaced`);
}

// ---- children added and removed -------------------------------------------------------
export async function childrenStage(ctx) {
  const { M, r } = ctx;
  const li = (text) => ["li", {}, text];
  const pairs = [
    [["ul", {}, li("a"), li("b")], ["ul", {}, li("a"), li("b"), li("c"), li("d")]],
    [["ul", {}, li("a"), li("b"), li("c"), li("d")], ["ul", {}, li("a"), li("b")]],
    [["ul", {}, li("a"), li("b"), li("c")], ["ul", {}]],
    [["div", {}, ["p", {}, "x"], ["span", {}, "y"]], ["div", {}, ["span", {}, "x"], ["span", {}, "y"]]],
    [["div", {}, "text"], ["div", {}, ["b", {}, "bold"]]],
    [["div", {}, ["b", {}, "bold"], null], ["div", {}, ["b", {}, "bold"], ["i", {}, "more"]]],
  ];
  for (let i = 0; i < 6; i++) {
    const before = randomTree(r, 3);
    const after = randomTree(r, 3);
    after[0] = before[0];
    pairs.push([before, after]);
  }
  for (const [before, after] of pairs) {
    const mine = await update(ctx, M, before, after);
    await expectHtml(ctx, after, mine.html, `after rendering ${clip(jsx(before))}, rendering the next tree gave the wrong DOM`);
    assertSameNodes(mine.before, mine.container, ["0", ...samePathsOfSameType(["root", {}, before], ["root", {}, after])], "adding and removing children");
    await limitOps(ctx, before, after, mine.ops, "adding and removing children");
  }
  ctx.log(`${pairs.length} updates that add, remove and replace children matched react-dom, kept the nodes that stayed, and took no more DOM operations than react-dom or preact`);
}

// ---- keyed reordering -----------------------------------------------------------------
export async function keyedStage(ctx) {
  const { M, r } = ctx;
  const list = (keys) => ["ul", { id: "list" }, ...keys.map((k) => ["li", { key: k, className: `item-${k}` }, `item ${k}`])];
  const base = ["a", "b", "c", "d", "e", "f", "g", "h"];
  const orders = [
    [["a", "b", "c", "d"], ["d", "a", "b", "c"]],
    [["a", "b", "c", "d"], ["b", "c", "d", "a"]],
    [["a", "b", "c", "d"], ["d", "c", "b", "a"]],
    [["a", "b", "c"], ["x", "a", "c", "b"]],
    [["a", "b", "c", "d", "e"], ["e", "b", "x", "a"]],
  ];
  for (let i = 0; i < 6; i++) {
    const before = r.shuffle(base).slice(0, 3 + r.int(6));
    const kept = r.shuffle(before).filter(() => r.chance(0.8));
    const fresh = ["p", "q", "s"].filter(() => r.chance(0.4));
    orders.push([before, r.shuffle([...kept, ...fresh])]);
  }
  for (const [keysBefore, keysAfter] of orders) {
    const before = list(keysBefore);
    const after = list(keysAfter);
    const container = newContainer(ctx.document);
    await renderSettled(ctx, M, before, container);
    const byKey = new Map([...container.querySelectorAll("li")].map((node) => [node.className.replace("item-", ""), node]));
    const w = watch(container);
    await renderSettled(ctx, M, after, container);
    const ops = w.take();
    w.stop();
    await expectHtml(ctx, after, html(container), `reordering keyed children [${keysBefore}] -> [${keysAfter}] gave the wrong DOM`);
    const nodes = [...container.querySelectorAll("li")];
    keysAfter.forEach((key, i) => {
      if (byKey.has(key) && nodes[i] !== byKey.get(key)) {
        const was = [...byKey.entries()].find(([, node]) => node === nodes[i]);
        fail(`reordering keyed children [${keysBefore}] -> [${keysAfter}]: the <li> with key "${key}" should be the same DOM node it was before, moved; at position ${i} there is ${was ? `the node that had key "${was[0]}"` : "a new node"}.`,
          was ? "match old and new children by key, not by position: a child whose key is still there keeps its DOM node, wherever it moves" : "a child whose key is still there must keep its DOM node: move it (insertBefore) instead of creating it again");
      }
    });
    await limitOps(ctx, before, after, ops, `reordering keyed children [${keysBefore}] -> [${keysAfter}]`,
      "move only the nodes that are out of place: walking the new order, a kept node whose old position is after the last node left in place stays where it is; insertBefore moves the others (each move is a removal and an addition)");
  }
  ctx.log(`${orders.length} keyed reorders: every surviving key kept its DOM node, moves no more than react-dom's or preact's`);
}

// ---- time slicing ---------------------------------------------------------------------
export async function timeSlicingStage(ctx) {
  const { M, r, idle } = ctx;
  const container = newContainer(ctx.document);
  for (const label of ["first", "second"]) {
    const tree = bigTree(r, 40, label);
    const expected = await ctx.referenceHtml(tree);
    const before = html(container);
    M.render(build(tree, M.createElement), container);
    ctx.rethrow();
    if (html(container) !== before) {
      fail(`render() of a tree of 120 elements changed the DOM before returning: the work must wait for idle time (requestIdleCallback).\nDOM right after render(): ${clip(html(container))}`,
        "render should only set up the first unit of work and call requestIdleCallback(workLoop); the work loop does the rest");
    }
    if (idle.size === 0) fail("render() returned without calling requestIdleCallback: nothing will ever do the work.", "call requestIdleCallback(workLoop) so the browser runs your work loop when it is idle");
    for (let i = 0; i < 3; i++) {
      idle.runRound(0);
      ctx.rethrow();
    }
    if (html(container) === expected) {
      fail("three idle callbacks whose deadline had no time left (timeRemaining() returned 0) rendered the whole 120-element tree: the work loop must stop when the deadline runs out and continue in the next idle callback.",
        "in the work loop, check deadline.timeRemaining() after each unit of work and stop when it is below 1 ms");
    }
    if (idle.size === 0) fail("after an idle callback with no time left, your work loop did not ask for another idle callback: the rest of the work is never done.", "end every run of the work loop with requestIdleCallback(workLoop) while work remains");
    await renderSettled(ctx, M, tree, container);
    if (html(container) !== expected) fail(`once given time, the work loop should finish rendering the tree.\nexpected: ${clip(expected)}\ngot: ${clip(html(container))}`);
  }
  ctx.log("render() waits for idle time, stops when the deadline runs out, and finishes the tree over later idle callbacks");
}

// ---- atomic commit --------------------------------------------------------------------
export async function atomicCommitStage(ctx) {
  const { M, r, idle } = ctx;
  const container = newContainer(ctx.document);
  const treeA = bigTree(r, 30, "alpha");
  const treeB = bigTree(r, 30, "beta");
  const treeC = bigTree(r, 30, "gamma");
  await renderSettled(ctx, M, treeA, container);
  const htmlA = html(container);
  const htmlB = await ctx.referenceHtml(treeB);
  const htmlC = await ctx.referenceHtml(treeC);
  // an update, worked on over idle callbacks with 3 ms each: the DOM shows A, then B, whole
  M.render(build(treeB, M.createElement), container);
  let seen = checkWhole(html(container), [htmlA, htmlB], "A", treeB);
  for (let round = 0; round < 500 && idle.size > 0; round++) {
    idle.runRound(3);
    ctx.rethrow();
    await macrotask();
    seen = checkWhole(html(container), [htmlA, htmlB], `after idle callback ${round + 1}`, treeB);
  }
  if (html(container) !== htmlB) fail(`after rendering an update over idle callbacks of 3 ms each, the DOM should show the new tree.\nexpected: ${clip(htmlB)}\ngot: ${clip(html(container))}`);
  // interrupted: B's work begins, then C is rendered before B is done: B must never show
  await renderSettled(ctx, M, treeA, container);
  M.render(build(treeB, M.createElement), container);
  for (let i = 0; i < 3; i++) {
    idle.runRound(0);
    ctx.rethrow();
    checkWhole(html(container), [htmlA], `after idle callback ${i + 1} with no time left`, treeB);
  }
  M.render(build(treeC, M.createElement), container);
  for (let round = 0; round < 500 && idle.size > 0; round++) {
    idle.runRound(3);
    ctx.rethrow();
    await macrotask();
    const shown = html(container);
    if (shown === htmlB) {
      fail("render(B) was interrupted by render(C) before B was done, yet the DOM showed B: work in progress for an older tree must be dropped, and the newest tree rendered.",
        "when render() is called while work is in progress, start over from a new root with the newest element (the old work was never committed, so there is nothing to undo)");
    }
    checkWhole(shown, [htmlA, htmlC], `after idle callback ${round + 1}, once render(C) interrupted render(B)`, treeC);
  }
  if (html(container) !== htmlC) fail(`the DOM should end with the newest tree.\nexpected: ${clip(htmlC)}\ngot: ${clip(html(container))}`);
  ctx.log("every idle callback left the DOM showing one whole tree; an interrupted render never showed the tree it dropped");
  return seen;
}

function checkWhole(shown, allowed, when, tree) {
  if (!allowed.includes(shown)) {
    fail(`${when}, the DOM showed part of a tree: the user would see a half-rendered page.\nrendering: ${clip(jsx(tree))}\nDOM: ${clip(shown)}`,
      "build the new tree in memory over as many idle callbacks as it takes, and change the DOM only once, when all the work is done (a commit phase that runs in one go)");
  }
  return shown;
}

// ---- function components --------------------------------------------------------------
export function components(M) {
  const h = M.createElement;
  const list = (c) => (c === undefined || c === null ? [] : Array.isArray(c) ? c : [c]);
  function Title({ text, level }) {
    return h(level === 2 ? "h2" : "h1", { className: "title" }, text);
  }
  function Card({ title, children }) {
    return h("article", { className: "card" }, h(Title, { text: title, level: 2 }), h("div", { className: "body" }, ...list(children)));
  }
  function Badge({ count }) {
    return h("span", { className: count > 9 ? "badge many" : "badge" }, count);
  }
  function Row({ label, count }) {
    return h("li", { id: `row-${label}` }, label, " ", h(Badge, { count }));
  }
  function Rows({ items }) {
    return h("ul", {}, ...items.map(([label, count]) => h(Row, { key: label, label, count })));
  }
  return { Title, Card, Badge, Row, Rows };
}

export async function functionComponentsStage(ctx) {
  const { M } = ctx;
  const trees = (C) => [
    ["main", {}, [C.Title, { text: "Fruit" }], [C.Card, { title: "Kiwi" }, ["p", {}, "green"], ["p", {}, "fuzzy"]]],
    ["main", {}, [C.Title, { text: "Fruit!", level: 1 }], [C.Card, { title: "Fig" }, ["p", {}, "purple"]]],
    ["main", {}, [C.Rows, { items: [["a", 1], ["b", 12], ["c", 3]] }]],
    ["main", {}, [C.Rows, { items: [["c", 4], ["a", 1], ["d", 10]] }]],
  ];
  const mine = trees(components(M));
  const theirs = trees(components(ctx.react));
  const container = newContainer(ctx.document);
  let previous = null;
  for (let i = 0; i < mine.length; i++) {
    await renderSettled(ctx, M, mine[i], container);
    const expected = await ctx.referenceHtml(theirs[i], true);
    if (html(container) !== expected) {
      fail(`rendering ${clip(jsx(mine[i]))}${i ? " over the tree before" : ""} gave the wrong DOM\nexpected (react-dom): ${clip(expected)}\ngot: ${clip(html(container))}`,
        "a function component is called with its props (children included) and renders what it returns; it has no DOM node of its own, so its children go into the nearest parent that has one");
    }
    const article = q(container, "article");
    if (i === 1 && previous && article !== previous) fail("re-rendering a Card component with new props replaced its <article> instead of updating it.", "the component's type (the function) is the same, so reconcile what it returns against what it returned before");
    previous = article;
  }
  ctx.log(`${mine.length} trees of function components matched react-dom; re-rendered components kept their DOM nodes`);
}

// ---- useState -------------------------------------------------------------------------
export async function useStateStage(ctx) {
  const { M } = ctx;
  if (typeof M.useState !== "function") fail("your module exports no function named useState.");
  const run = async (lib) => {
    const renders = {};
    const h = lib.createElement;
    function Counter({ name, start }) {
      renders[name] = (renders[name] ?? 0) + 1;
      const [count, setCount] = lib.useState(start);
      const [clicks, setClicks] = lib.useState(0);
      return h("div", { id: name },
        h("b", {}, `${name}: ${count} (${clicks} clicks)`),
        h("button", { className: "plus-two", onClick: () => { setCount((c) => c + 1); setCount((c) => c + 1); setClicks((n) => n + 1); } }, "+2"),
        h("button", { className: "stale", onClick: () => { setCount(count + 1); setCount(count + 1); } }, "+1 twice"),
        h("button", { className: "reset", onClick: () => { setCount(start); setClicks(0); } }, "reset"));
    }
    const tree = (extra) => ["section", {}, [Counter, { name: "left", start: 0 }], [Counter, { name: "right", start: 10 }], ["p", {}, extra]];
    const container = newContainer(ctx.document);
    await renderSettled(ctx, lib, tree("v1"), container, lib === M ? "your render" : "react-dom");
    const snapshots = [];
    const click = async (selector) => {
      q(container, selector).dispatchEvent(new MouseEvent("click", { bubbles: true }));
      await settleOrFail(ctx);
      snapshots.push([selector, html(container).replace(/<button.*?<\/button>/g, ""), { ...renders }]);
    };
    await click("#left .plus-two");
    await click("#left .plus-two");
    await click("#right .stale");
    await click("#left .stale");
    lib.render(build(tree("v2"), h), container);
    await settleOrFail(ctx);
    snapshots.push(["render() again with the same components", html(container).replace(/<button.*?<\/button>/g, ""), { ...renders }]);
    await click("#right .reset");
    return snapshots;
  };
  const expected = await run(ctx.react);
  const got = await run(M);
  for (let i = 0; i < expected.length; i++) {
    const [step, html, renders] = expected[i];
    const [, gotHtml, gotRenders] = got[i];
    if (gotHtml !== html) {
      const lost = /plus-two/.test(step) ? "a functional update receives the state left by the updates before it in the same batch: keep every queued update and apply them in order" : /stale/.test(step) ? "setCount(count + 1) twice in one handler uses the same count both times: the result is one more, not two" : "state belongs to the component's position in the tree: a new render() of the same components keeps it";
      fail(`two Counter components, each with useState; after: ${expected.slice(0, i + 1).map(([s]) => s).join(", ")}\nexpected (react-dom): ${clip(html)}\ngot: ${clip(gotHtml)}`, lost);
    }
    if (JSON.stringify(gotRenders) !== JSON.stringify(renders)) {
      fail(`after: ${expected.slice(0, i + 1).map(([s]) => s).join(", ")}\nexpected each component to have rendered ${JSON.stringify(renders)} times (as with react-dom), got ${JSON.stringify(gotRenders)}`,
        "updates made in one event handler are batched: the component renders once for all of them, and a click in one component does not re-render the other");
    }
  }
  ctx.log("functional updates applied in order, plain updates batched, state kept per component and across render()");
}

// ---- useEffect ------------------------------------------------------------------------
export async function useEffectStage(ctx) {
  const { M } = ctx;
  if (typeof M.useEffect !== "function") fail("your module exports no function named useEffect.");
  const run = async (lib) => {
    const log = [];
    const h = lib.createElement;
    const container = newContainer(ctx.document);
    function Leaf({ name, dep }) {
      lib.useEffect(() => {
        const present = q(container, `#${name}`) !== null;
        log.push(`effect ${name} ${dep}${present ? "" : " (its DOM node was not in the document yet)"}`);
        return () => log.push(`cleanup ${name} ${dep}`);
      }, [dep]);
      lib.useEffect(() => { log.push(`mount-only ${name}`); return () => log.push(`unmount ${name}`); }, []);
      return h("i", { id: name }, `${name}=${dep}`);
    }
    function Parent({ deps, show }) {
      lib.useEffect(() => { log.push("every-render parent"); });
      return h("div", { id: "parent" }, h(Leaf, { name: "a", dep: deps[0] }), show ? h(Leaf, { name: "b", dep: deps[1] }) : null);
    }
    const steps = [["mount", [1, 1], true], ["change a's dep", [2, 1], true], ["same deps", [2, 1], true], ["remove b", [2, 1], false], ["change a's dep again", [3, 1], false]];
    const out = [];
    for (const [step, deps, show] of steps) {
      log.length = 0;
      await renderSettled(ctx, lib, [Parent, { deps, show }], container, lib === M ? "your render" : "react-dom");
      out.push([step, [...log]]);
    }
    return out;
  };
  const expected = await run(ctx.react);
  const got = await run(M);
  for (let i = 0; i < expected.length; i++) {
    const [step, want] = expected[i];
    const have = got[i][1];
    const effects = (list) => list.filter((l) => !l.startsWith("cleanup") && !l.startsWith("unmount"));
    const cleanups = (list) => list.filter((l) => l.startsWith("cleanup") || l.startsWith("unmount")).sort();
    const problem =
      JSON.stringify(effects(have)) !== JSON.stringify(effects(want)) ? "the effects that ran (in order: children before parents) differ"
        : JSON.stringify(cleanups(have)) !== JSON.stringify(cleanups(want)) ? "the cleanups that ran differ"
          : cleanupAfterEffect(have);
    if (problem) {
      fail(`a Parent component with an effect on every render, and Leaf children with an effect on [dep] and one on []; step "${step}"\n${problem}\nexpected (react-dom, cleanups in any order before the effects they precede): ${JSON.stringify(want)}\ngot: ${JSON.stringify(have)}`,
        effectHint(want, have));
    }
  }
  ctx.log("effects ran after the DOM was committed, children first, only when their dependencies changed; cleanups ran before the next effect and on removal");
}

function cleanupAfterEffect(have) {
  for (let k = 0; k < have.length; k++) {
    if (!have[k].startsWith("cleanup")) continue;
    const name = have[k].split(" ")[1];
    const rerun = have.findIndex((l) => l.startsWith(`effect ${name} `));
    if (rerun !== -1 && rerun < k) return `the cleanup of ${name}'s effect ran after the effect it should precede`;
  }
  return "";
}

function effectHint(want, have) {
  if (have.some((l) => l.includes("not in the document"))) return "run effects after the commit, once the DOM is in place, not while rendering";
  if (have.length > want.length) return "compare the dependency array with the previous render's, item by item: an effect whose dependencies did not change does not run";
  if (!have.some((l) => l.startsWith("cleanup") || l.startsWith("unmount")) && want.some((l) => l.startsWith("cleanup") || l.startsWith("unmount"))) return "keep the function an effect returns, and call it before that effect runs again and when the component is removed";
  return "effects run after the DOM is committed: children's before their parent's, each only when its dependencies changed";
}
