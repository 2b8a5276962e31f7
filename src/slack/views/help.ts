import { COMMAND } from '../ids.js';
import { context, type SlackMessage, section } from './blocks.js';
import { inlineText } from './text.js';

/** The usage text for `/visen help`, an empty `/visen`, and an unknown subcommand (`unknown` is echoed back). */
export function buildHelpMessage(unknown?: string): SlackMessage {
  const intro = unknown
    ? `I don't know \`${COMMAND} ${echoed(unknown)}\`. Here is what I can do:`
    : 'Visen writes AI content straight into your Notion workspace.';
  const usage = [
    `• \`${COMMAND} settings\`: link your Notion integration, OpenAI key and connections database`,
    `• \`${COMMAND} generate &lt;Notion page URL&gt; &lt;prompt&gt;\`: write into a page (\`--new-page\` for a child page)`,
    `• \`${COMMAND} generate &lt;Notion database URL&gt; &lt;template with {{Property}}&gt;\`: fill every row (\`--into "Property"\`, \`--all\`, \`--limit N\`, \`--preview [N]\` to see the first rows before any is written); a template may also read \`{{@content}}\` (the row's page), \`{{@row}}\`, \`{{@url}}\` and \`{{Relation.Property}}\``,
    `• add \`--watch\` (a database: fill rows whenever they are added or changed) or \`--every "daily 09:00"\` (\`hourly\`, \`"weekdays 09:00"\`, \`"mondays 08:30"\` or a cron expression, in your time zone) to make a connection run by itself`,
    `• \`${COMMAND} generate\`: the same choices in a form`,
    `• \`${COMMAND} automations\`: your automatic connections, with Pause and Resume`,
    `• \`${COMMAND} clear\`: delete your saved settings from this Visen and stop your automatic connections`,
    `• \`${COMMAND} help\`: this message`,
  ].join('\n');
  return {
    text: `${intro}\n${usage}`,
    blocks: [section(intro), section(usage), context('Your connections and their runs are on the Home tab of this app.')],
  };
}

/** The unknown word, shortened and made inert: no control characters or code-span breaks, mrkdwn escaped. */
function echoed(word: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed here.
  return inlineText(word.replace(/[`\u0000-\u001f\u007f-\u009f]/g, ' '), 40);
}
