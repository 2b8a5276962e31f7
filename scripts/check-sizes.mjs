#!/usr/bin/env node
/**
 * Size rule for src/ (run by `npm run lint`): no file over 350 lines and no function over 100 lines.
 * Biome warns earlier (60 lines, cognitive complexity 20) so growth shows in review; this is the hard stop.
 * A file may be exempt with a first-line comment `// size-exempt: <reason>` (generated or data files only).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const MAX_FILE_LINES = 350;
const MAX_FUNCTION_LINES = 100;
const root = new URL('..', import.meta.url).pathname;

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (path.endsWith('.ts')) yield path;
  }
}

function functionName(node, source) {
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name) return parent.name.getText(source);
  return '(anonymous)';
}

const problems = [];
for (const path of sourceFiles(join(root, 'src'))) {
  const text = readFileSync(path, 'utf8');
  const file = relative(root, path);
  const lines = text.split('\n').length;
  if (/^\/\/ size-exempt: \S/.test(text)) continue;
  if (lines > MAX_FILE_LINES) problems.push(`${file}: ${lines} lines (at most ${MAX_FILE_LINES}): split it by job`);
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const length = end - start + 1;
      if (length > MAX_FUNCTION_LINES) {
        problems.push(`${file}:${start + 1}: function ${functionName(node, source)} is ${length} lines (at most ${MAX_FUNCTION_LINES})`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

if (problems.length > 0) {
  console.error(`Size rule: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log('Size rule: every file in src/ is within 350 lines and every function within 100.');
