// Asks the real yaml-language-server, over LSP on stdio, what it completes and what it reports
// in a model file that names atkmap's JSON Schema in a modeline, as an editor does.
//
//   node tests/lsp_completion.mjs SERVER_JS SCHEMA_FILE MODEL_FILE LINE CHARACTER
//
// Prints one JSON object: {"completions": [labels at LINE:CHARACTER (0-based)],
// "diagnostics": [{"line", "message"}]}. Used by tests/check_cli.rs; only Node's standard
// library.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [server, schema, model, line, character] = process.argv.slice(2);
const text = readFileSync(model, "utf8");
const uri = pathToFileURL(model).href;
const child = spawn(process.execPath, [server, "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });

let buffer = Buffer.alloc(0);
let nextId = 1;
const pending = new Map();
let diagnostics = null;
let diagnosticsSeen;
const diagnosticsArrived = new Promise((resolve) => (diagnosticsSeen = resolve));

function send(message) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message }), "utf8");
  child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
  child.stdin.write(body);
}

function request(method, params) {
  const id = nextId++;
  send({ id, method, params });
  return new Promise((resolve) => pending.set(id, resolve));
}

function handle(message) {
  if (message.id !== undefined && pending.has(message.id)) {
    pending.get(message.id)(message.result);
    pending.delete(message.id);
  } else if (message.id !== undefined && message.method) {
    // Requests from the server (workspace/configuration, ...): answer with the settings.
    const settings = { yaml: { validate: true, completion: true, hover: true, schemaStore: { enable: false } } };
    const result = message.method === "workspace/configuration"
      ? (message.params.items || []).map(() => settings.yaml)
      : null;
    send({ id: message.id, result });
  } else if (message.method === "textDocument/publishDiagnostics" && message.params.uri === uri) {
    diagnostics = message.params.diagnostics;
    diagnosticsSeen();
  }
}

child.stdout.on("data", (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const header = buffer.indexOf("\r\n\r\n");
    if (header < 0) return;
    const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, header).toString())[1]);
    if (buffer.length < header + 4 + length) return;
    const body = buffer.subarray(header + 4, header + 4 + length).toString("utf8");
    buffer = buffer.subarray(header + 4 + length);
    handle(JSON.parse(body));
  }
});

const deadline = setTimeout(() => {
  console.error("yaml-language-server did not answer within 30 s");
  process.exit(2);
}, 30000);

await request("initialize", {
  processId: process.pid,
  rootUri: null,
  capabilities: { textDocument: { completion: { completionItem: { snippetSupport: true } } }, workspace: { configuration: true } },
});
send({ method: "initialized", params: {} });
send({
  method: "workspace/didChangeConfiguration",
  params: { settings: { yaml: { validate: true, completion: true, schemaStore: { enable: false }, schemas: {} } } },
});
send({ method: "textDocument/didOpen", params: { textDocument: { uri, languageId: "yaml", version: 1, text } } });
const completion = await request("textDocument/completion", {
  textDocument: { uri },
  position: { line: Number(line), character: Number(character) },
});
await Promise.race([diagnosticsArrived, new Promise((r) => setTimeout(r, 5000))]);
const items = Array.isArray(completion) ? completion : (completion?.items ?? []);
console.log(JSON.stringify({
  completions: items.map((i) => i.label),
  diagnostics: (diagnostics ?? []).map((d) => ({ line: d.range.start.line, message: d.message })),
  schema,
}));
clearTimeout(deadline);
child.kill();
process.exit(0);
