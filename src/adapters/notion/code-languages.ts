/**
 * Markdown fence info strings -> Notion code block languages. Notion accepts only the names in its list (the
 * code block's `language`, https://developers.notion.com/reference/block, listed here as @notionhq/client types it
 * in `LanguageRequest`); anything else is refused with a validation_error that lists the allowed names (quoted in
 * github.com/ftnext/sphinx-notion/issues/3 for "text"), so unknown or missing languages become "plain text".
 */
import type { CodeLanguage } from './blocks.js';

const NOTION_LANGUAGES: readonly CodeLanguage[] = [
  'abap', 'abc', 'agda', 'arduino', 'ascii art', 'assembly', 'bash', 'basic', 'bnf', 'c', 'c#', 'c++', 'clojure',
  'coffeescript', 'coq', 'css', 'dart', 'dhall', 'diff', 'docker', 'ebnf', 'elixir', 'elm', 'erlang', 'f#', 'flow',
  'fortran', 'gherkin', 'glsl', 'go', 'graphql', 'groovy', 'haskell', 'hcl', 'html', 'idris', 'java', 'javascript',
  'json', 'julia', 'kotlin', 'latex', 'less', 'lisp', 'livescript', 'llvm ir', 'lua', 'makefile', 'markdown',
  'markup', 'matlab', 'mathematica', 'mermaid', 'nix', 'notion formula', 'objective-c', 'ocaml', 'pascal', 'perl',
  'php', 'plain text', 'powershell', 'prolog', 'protobuf', 'purescript', 'python', 'r', 'racket', 'reason', 'ruby',
  'rust', 'sass', 'scala', 'scheme', 'scss', 'shell', 'smalltalk', 'solidity', 'sql', 'swift', 'toml',
  'typescript', 'vb.net', 'verilog', 'vhdl', 'visual basic', 'webassembly', 'xml', 'yaml', 'java/c/c++/c#',
];

const KNOWN = new Set<string>(NOTION_LANGUAGES);

/** Common fence names and file extensions that are not Notion's own names. */
const ALIASES: Readonly<Record<string, CodeLanguage>> = {
  js: 'javascript', jsx: 'javascript', mjs: 'javascript', cjs: 'javascript', node: 'javascript',
  ts: 'typescript', tsx: 'typescript', mts: 'typescript', cts: 'typescript',
  py: 'python', python3: 'python', py3: 'python',
  rb: 'ruby', rs: 'rust', kt: 'kotlin', kts: 'kotlin', golang: 'go',
  sh: 'shell', zsh: 'shell', fish: 'shell', console: 'shell', 'shell-session': 'shell', shellsession: 'shell',
  ps: 'powershell', ps1: 'powershell', pwsh: 'powershell',
  yml: 'yaml', md: 'markdown', mdx: 'markdown', tex: 'latex',
  cpp: 'c++', cxx: 'c++', cc: 'c++', hpp: 'c++', h: 'c', csharp: 'c#', cs: 'c#', fsharp: 'f#', fs: 'f#',
  objc: 'objective-c', objectivec: 'objective-c', 'obj-c': 'objective-c',
  dockerfile: 'docker', make: 'makefile', mk: 'makefile', tf: 'hcl', terraform: 'hcl',
  htm: 'html', xhtml: 'html', svg: 'xml', jsonc: 'json', json5: 'json', gql: 'graphql',
  ex: 'elixir', exs: 'elixir', erl: 'erlang', hs: 'haskell', ml: 'ocaml', clj: 'clojure', cljs: 'clojure',
  coffee: 'coffeescript', vb: 'visual basic', vbnet: 'vb.net', wasm: 'webassembly', wat: 'webassembly',
  sol: 'solidity', proto: 'protobuf', pl: 'perl', pm: 'perl', jl: 'julia', asm: 'assembly', nasm: 'assembly',
  patch: 'diff', udiff: 'diff', text: 'plain text', txt: 'plain text', plaintext: 'plain text', plain: 'plain text',
  postgres: 'sql', postgresql: 'sql', mysql: 'sql', sqlite: 'sql', plsql: 'sql', psql: 'sql',
  ino: 'arduino', cucumber: 'gherkin', feature: 'gherkin', rkt: 'racket', purs: 'purescript', v: 'verilog',
  sv: 'verilog', mma: 'mathematica', wl: 'mathematica', scm: 'scheme', st: 'smalltalk', ls: 'livescript',
};

/** The Notion language for a fence info string such as "ts", "Python", "js title=x.js" or "" (-> plain text). */
export function toNotionLanguage(info: string | undefined): CodeLanguage {
  const word = (info ?? '').trim().split(/[\s{]/)[0]?.toLowerCase().replace(/^\./, '') ?? '';
  if (word === '') return 'plain text';
  if (KNOWN.has(word)) return word as CodeLanguage;
  return ALIASES[word] ?? 'plain text';
}
