// Sample Markdown for the Notion adapter tests.

/** A long, varied document like a model writes. */
export function buildLongDocument(minChars: number): string {
  const sections: string[] = [];
  for (let i = 0; sections.join('\n\n').length < minChars; i++) {
    sections.push(
      [
        `## Section ${i}: *planning* and **delivery**`,
        `Paragraph ${i} with [a link](https://example.com/${i}), \`inline code\`, ~~old~~ text and more words to read. `.repeat(3),
        `- point ${i}.1\n- point ${i}.2\n  - detail with **bold**\n    1. deeper\n       - deepest ${i}`,
        `1. first\n2. second\n3. third`,
        `> A quote about section ${i}.`,
        `| Key | Value |\n|---|---|\n| a${i} | ${i} |\n| b${i} | ${i * 2} |`,
        `\`\`\`ts\nexport const section${i} = ${i};\n\`\`\``,
        `- [ ] task ${i}\n- [x] done ${i}`,
        i % 5 === 0 ? '---' : `Closing line ${i}.`,
      ].join('\n\n'),
    );
  }
  return sections.join('\n\n');
}
