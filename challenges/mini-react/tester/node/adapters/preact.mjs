// preact behind the challenge's module interface, with the same idle-time scheduling as the
// react-dom adapter. Effects run on a timer rather than an animation frame (jsdom paints
// nothing).
import { h, options, render as preactRender } from "preact";
import { useEffect as preactUseEffect, useState as preactUseState } from "preact/hooks";

options.requestAnimationFrame = (callback) => setTimeout(callback, 0);

const pending = new Map();

export const createElement = h;
export const useState = preactUseState;
export const useEffect = preactUseEffect;

export function render(element, container) {
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
    preactRender(latest, container);
  });
}
