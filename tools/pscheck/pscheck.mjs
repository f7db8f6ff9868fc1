#!/usr/bin/env node
// pscheck parses PowerShell scripts with tree-sitter-powershell and reports
// every syntax error as file:line:col. Arguments are .ps1 files or
// directories, searched recursively for .ps1 files except under testdata,
// node_modules and .git. It exits 0 when every script parses cleanly, 1
// when any has a syntax error, and 2 on a usage or I/O problem.
//
// Usage: node tools/pscheck/pscheck.mjs FILE.ps1|DIR ...

import { readFile, readdir, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import v8 from "node:v8";

// Optimising the 1 MB grammar with TurboFan costs seconds of CPU for
// nothing in a short run; the baseline compiler parses these scripts in
// milliseconds. The flag must be set before the module compiles.
v8.setFlagsFromString("--liftoff-only");
const { Language, Parser } = await import("web-tree-sitter");

const require = createRequire(import.meta.url);

// skipped are directory names not searched when walking a directory: Go's
// testdata (fixtures, some broken on purpose), dependencies, and VCS data.
// Files named on the command line are always checked.
const skipped = new Set(["testdata", "node_modules", ".git"]);

// walk appends the .ps1 files under dir to files.
async function walk(dir, files) {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!skipped.has(e.name)) {
        await walk(p, files);
      }
    } else if (e.isFile() && e.name.toLowerCase().endsWith(".ps1")) {
      files.push(p);
    }
  }
}

// collect expands the command-line arguments into a sorted list of files.
async function collect(args) {
  const files = [];
  for (const arg of args) {
    const info = await stat(arg);
    if (info.isDirectory()) {
      await walk(arg, files);
    } else {
      files.push(arg);
    }
  }
  return [...new Set(files)].sort();
}

// problems walks the tree and returns one entry per ERROR or MISSING node.
// An ERROR node's descendants are not reported again.
function problems(tree) {
  const out = [];
  const cursor = tree.walk();
  let descend = true;
  for (;;) {
    const node = cursor.currentNode;
    let report = false;
    if (descend) {
      if (node.isError) {
        out.push({ kind: "syntax error", node });
        report = true;
      } else if (node.isMissing) {
        out.push({ kind: `missing ${JSON.stringify(node.type)}`, node });
        report = true;
      }
    }
    if (descend && !report && node.hasError && cursor.gotoFirstChild()) {
      continue;
    }
    if (cursor.gotoNextSibling()) {
      descend = true;
      continue;
    }
    if (!cursor.gotoParent()) {
      break;
    }
    descend = false;
  }
  return out;
}

// excerpt returns the first line of a node's text, shortened for a message.
function excerpt(text) {
  const line = text.split(/\r?\n/, 1)[0];
  return line.length > 60 ? line.slice(0, 57) + "..." : line;
}

async function main(argv) {
  if (argv.length === 0) {
    process.stderr.write("usage: pscheck FILE.ps1|DIR ...\n");
    return 2;
  }
  await Parser.init();
  const wasm = require.resolve("tree-sitter-powershell/tree-sitter-powershell.wasm");
  const language = await Language.load(wasm);
  const parser = new Parser();
  parser.setLanguage(language);

  const files = await collect(argv);
  if (files.length === 0) {
    process.stderr.write("pscheck: no .ps1 files found\n");
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    let text = await readFile(file, "utf8");
    if (text.charCodeAt(0) === 0xfeff) {
      text = text.slice(1);
    }
    const tree = parser.parse(text);
    if (!tree.rootNode.hasError) {
      tree.delete();
      continue;
    }
    failed++;
    const found = problems(tree);
    if (found.length === 0) {
      found.push({ kind: "syntax error", node: tree.rootNode });
    }
    for (const { kind, node } of found) {
      const { row, column } = node.startPosition;
      process.stdout.write(`${file}:${row + 1}:${column + 1}: ${kind} near ${JSON.stringify(excerpt(node.text))}\n`);
    }
    tree.delete();
  }
  process.stdout.write(`pscheck: ${files.length} files, ${failed} with syntax errors\n`);
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`pscheck: ${err.message}\n`);
    process.exit(2);
  },
);
