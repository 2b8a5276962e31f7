import { describe, expect, it } from 'vitest';
import { buildHelpMessage } from '../../src/slack/views/help.js';

describe('buildHelpMessage', () => {
  it('matches the snapshot', () => {
    expect(buildHelpMessage()).toMatchSnapshot();
  });

  it('lists every subcommand, with placeholders escaped so Slack does not read them as links', () => {
    const { text, blocks } = buildHelpMessage();
    for (const word of ['settings', 'generate', 'automations', 'clear', 'help']) expect(text).toContain(`/visen ${word}`);
    expect(text).toContain('&lt;Notion page URL&gt;');
    expect(text).toMatch(/`--watch`.*`--every "daily 09:00"`.*your time zone/);
    expect(text).not.toMatch(/<Notion/);
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const block of blocks) {
      if (block.type === 'section') expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
    }
  });

  it('echoes an unknown subcommand shortened and made inert', () => {
    const { text } = buildHelpMessage(`<!channel>\u0007\u001b[2J ${'x'.repeat(100)}\`oops`);
    // Control characters become spaces, and a run of them one space.
    expect(text).toContain("I don't know `/visen &lt;!channel&gt; [2J xxx");
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(text).not.toContain('<!channel>');
    expect(text.split('\n')[0]!.length).toBeLessThan(120);
  });
});
