// The browser the learner's module runs in: a jsdom document whose requestIdleCallback and
// idle deadlines belong to the tester, so time-slicing is deterministic. An idle deadline
// lends a budget of "milliseconds": each call of timeRemaining() returns what is left and
// then spends one, as if each unit of work took a millisecond.
import { JSDOM } from "jsdom";

export function installDom() {
  const dom = new JSDOM("<!doctype html><html><head></head><body></body></html>");
  const w = dom.window;
  for (const name of [
    "window", "document", "navigator", "Node", "Element", "HTMLElement", "Text", "Event",
    "MouseEvent", "KeyboardEvent", "InputEvent", "FocusEvent", "MutationObserver", "DocumentFragment",
    "HTMLInputElement", "HTMLIFrameElement", "SVGElement", "CustomEvent",
  ]) {
    Object.defineProperty(globalThis, name, {
      value: name === "window" ? w : w[name], configurable: true, writable: true,
    });
  }
  const idle = new IdleQueue();
  for (const target of [globalThis, w]) {
    target.requestIdleCallback = (callback) => idle.request(callback);
    target.cancelIdleCallback = (id) => idle.cancel(id);
  }
  return { window: w, document: w.document, idle };
}

export class IdleQueue {
  constructor() {
    this.pending = [];
    this.nextId = 1;
    this.callbacksRun = 0;
  }
  request(callback) {
    if (typeof callback !== "function") throw new TypeError("requestIdleCallback needs a function");
    const id = this.nextId++;
    this.pending.push({ id, callback });
    return id;
  }
  cancel(id) {
    this.pending = this.pending.filter((entry) => entry.id !== id);
  }
  get size() {
    return this.pending.length;
  }
  /** Run the callbacks requested so far (not those they request), each with ``budget``. */
  runRound(budget) {
    const round = this.pending;
    this.pending = [];
    for (const { callback } of round) {
      let left = budget;
      this.callbacksRun++;
      callback({
        didTimeout: false,
        timeRemaining() {
          const now = Math.max(0, left);
          left -= 1;
          return now;
        },
      });
    }
    return round.length;
  }
}

export const macrotask = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Let everything run: idle callbacks (generous deadlines), microtasks, timers. True when
 * nothing asked for more work for a few turns; false when it never stopped asking. */
export async function settle(idle, { budget = 1000, rounds = 400 } = {}) {
  let quiet = 0;
  for (let i = 0; i < rounds; i++) {
    await macrotask();
    if (idle.size === 0) {
      quiet++;
      if (quiet >= 4) return true;
      continue;
    }
    quiet = 0;
    idle.runRound(budget);
  }
  return false;
}
