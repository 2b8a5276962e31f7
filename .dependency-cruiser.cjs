/**
 * The layer rule (docs/architecture.md), checked by `npm run lint`:
 *   src/slack  →  src/services  →  src/adapters, never back.
 * Services never see Slack or a vendor SDK; shared modules at the top of src/ (errors, users, logger, retry…)
 * belong to no layer and import none; only the entry point (main, visen, compose, config) wires layers together.
 */
const VENDOR_SDKS = '^node_modules/(@slack/|@notionhq/client|openai/|bullmq/|ioredis/|@keyv/)';
const SHARED = '^src/(errors|users|logger|log-redaction|http-body|retry)\\.ts$';
const ENTRY = '^src/(main|visen|compose|config)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'services-not-to-slack',
      comment: 'Services are called by the Slack surface and know nothing of it.',
      severity: 'error',
      from: { path: '^src/services/' },
      to: { path: '^src/slack/' },
    },
    {
      name: 'adapters-not-up',
      comment: 'Adapters talk to Notion, OpenAI and the disk; they never call services or the Slack surface.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: '^src/(services|slack)/' },
    },
    {
      name: 'slack-through-services',
      comment: 'The Slack surface reaches Notion, OpenAI and the store only through services.',
      severity: 'error',
      from: { path: '^src/slack/' },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'services-without-vendor-sdks',
      comment: 'Service signatures use our own types; the SDKs stay inside the adapters (and Bolt inside src/slack).',
      severity: 'error',
      from: { path: '^src/services/' },
      to: { path: VENDOR_SDKS },
    },
    {
      name: 'adapters-without-slack',
      comment: 'Only the Slack surface and the entry point use the Slack SDKs.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: '^node_modules/@slack/' },
    },
    {
      name: 'shared-stays-below-layers',
      comment: 'Shared modules are used by every layer, so they may import none of them.',
      severity: 'error',
      from: { path: SHARED },
      to: { path: '^src/(slack|services|adapters)/' },
    },
    {
      name: 'nobody-imports-the-entry-point',
      comment: 'The entry point builds the app from the layers; a layer that imports it would run in a circle.',
      severity: 'error',
      from: { path: '^src/', pathNot: ENTRY },
      to: { path: ENTRY },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes the load order (and so the behaviour) depend on which module is imported first.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
