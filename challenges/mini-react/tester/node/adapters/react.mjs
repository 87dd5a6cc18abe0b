// react-dom behind the challenge's module interface. render() hands the tree to React in the
// first idle callback that has time, as the learner's renderer does its work in idle time;
// React then renders and commits it in one go (flushSync).
import * as React from "react";
import { flushSync } from "react-dom";
import { createRoot } from "react-dom/client";

const roots = new WeakMap();
const pending = new Map();

export const createElement = React.createElement;
export const useState = React.useState;
export const useEffect = React.useEffect;

export function render(element, container) {
  let root = roots.get(container);
  if (!root) {
    root = createRoot(container);
    roots.set(container, root);
  }
  const scheduled = pending.has(container);
  pending.set(container, element);
  if (scheduled) return;
  requestIdleCallback(function work(deadline) {
    if (deadline.timeRemaining() < 1) {
      requestIdleCallback(work);
      return;
    }
    const latest = pending.get(container);
    pending.delete(container);
    flushSync(() => root.render(latest));
  });
}
