// The mini-react tester's driver: `node driver.mjs MODULE` with a request on stdin
// ({"stage": slug, "seed": n}). It loads the learner's MODULE into a jsdom document, runs the
// stage's check against it (react-dom and preact render the same trees for comparison), and
// prints one JSON line: {"ok": true, "log": [...]}, {"ok": false, "message", "hint", "log"},
// or {"internal": "..."} when the driver itself cannot run.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const answer = (value) => {
  process.stdout.write(`\n${JSON.stringify(value)}\n`, () => process.exit(0));
};

let env;
try {
  env = (await import("./env.mjs")).installDom();
} catch (error) {
  answer({ internal: `cannot load jsdom (${error.message}); run scripts/install-node-deps.sh` });
}

if (env) await main();

async function main() {
  const request = JSON.parse(readFileSync(0, "utf8"));
  const modulePath = process.argv[2];
  const log = [];
  if (!modulePath) {
    answer({ ok: false, log, message: "your program ran the driver without naming your module: it was started as `node driver.mjs` with no second argument.", hint: "your_program.sh must run node DRIVER MODULE, with the path of your module after the driver's" });
    return;
  }
  const { Failure, html, newContainer } = await import("./support.mjs");
  const stages = await import("./stages.mjs");
  const { rng } = await import("./trees.mjs");
  const { settle } = await import("./env.mjs");
  let react;
  let preact;
  try {
    react = await import("./adapters/react.mjs");
    preact = await import("./adapters/preact.mjs");
  } catch (error) {
    answer({ internal: `cannot load react-dom or preact (${error.message}); run scripts/install-node-deps.sh` });
    return;
  }
  let M;
  try {
    const ns = await import(pathToFileURL(resolve(modulePath)).href);
    const fallback = ns.default && typeof ns.default === "object" ? ns.default : {};
    M = { ...fallback, ...ns };
  } catch (error) {
    answer({ ok: false, log, message: `your module ${modulePath} failed to load:\n${stack(error)}`, hint: "run it with node to see the error: node --check your file" });
    return;
  }
  // react-dom warns about element nesting HTML would not parse (a <p> in a <p>); the DOM
  // has no such rule, and the warning is no concern of the learner's
  const consoleError = console.error;
  console.error = (...args) => {
    if (/cannot be a descendant of|cannot contain a nested|hydration error/.test(String(args[0]))) return;
    consoleError(...args);
  };
  const thrown = [];
  env.window.addEventListener("error", (event) => thrown.push(event.error ?? new Error(event.message)));
  process.on("uncaughtException", (error) => thrown.push(error));
  process.on("unhandledRejection", (error) => thrown.push(error));
  const { build } = await import("./trees.mjs");
  const ctx = {
    M,
    react,
    preact,
    idle: env.idle,
    document: env.document,
    r: rng(Number(request.seed) || 1),
    log: (line) => log.push(line),
    rethrow() {
      if (thrown.length) throw thrown.shift();
    },
    async referenceHtml(tree) {
      const container = newContainer(env.document);
      react.render(build(tree, react.createElement), container);
      await settle(env.idle);
      return html(container);
    },
  };
  const checks = {
    "create-element": stages.createElementStage,
    render: stages.renderStage,
    events: stages.eventsStage,
    "update-props": stages.updatePropsStage,
    children: stages.childrenStage,
    "keyed-reorder": stages.keyedStage,
    "time-slicing": stages.timeSlicingStage,
    "atomic-commit": stages.atomicCommitStage,
    "function-components": stages.functionComponentsStage,
    "use-state": stages.useStateStage,
    "use-effect": stages.useEffectStage,
  };
  const check = checks[request.stage];
  if (!check) {
    answer({ internal: `no check for stage ${request.stage}` });
    return;
  }
  try {
    await check(ctx);
    ctx.rethrow();
    answer({ ok: true, log });
  } catch (error) {
    if (error instanceof Failure) answer({ ok: false, log, message: error.message, hint: error.hint });
    else answer({ ok: false, log, message: `your module threw an error:\n${stack(error)}`, hint: "the stack shows where; the check that was running is in the log above" });
  }
}

function stack(error) {
  if (!(error instanceof Error)) return String(error);
  const lines = (error.stack ?? String(error)).split("\n");
  // frames inside the driver or its packages are crack's, not the learner's
  return lines.filter((line, i) => i === 0 || !/node_modules|tester\/node\/|node:internal/.test(line)).slice(0, 8).join("\n");
}
