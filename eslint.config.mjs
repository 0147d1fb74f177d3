// Lint rules that keep the layering of DESIGN.md: domain and the conversation
// engine know nothing of chat libraries or the database driver.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const channelAndStorageLibs = ['grammy', 'grammy/*', 'whatsapp-web.js', 'mongoose', 'mongodb'];

// Layering between src/ folders (README "Architecture"): channels → staff → conversation
// → tickets → notify/outbox/storage → domain → core. Each entry lists the folders a layer
// must not import (`forbid`), or the only ones it may (`only`); relative imports, matched by
// `regex` on the import path. Folders not
// listed here (supervisor, shifts, jobs, http, …) sit beside channels and may import downwards.
// Feature folders that conversation/ imports (feedback, and escalation through it) sit below
// it: they import neither conversation/ nor staff/, so no cycle runs through them. A staff
// command of theirs (/escalate) lives with the supervisors' commands (src/supervisor/).
// Folders of staff command modules plugged into the staff router (`modules` in src/staff-router.ts).
const COMMAND_MODULE_FOLDERS = ['supervisor', 'shifts', 'dashboard', 'operator', 'counsellor'];
const folder = (name) => `^(\\.\\./)+${name}(/|$)`;
const LAYERS = [
  // core: shared message types; nothing of ours but the i18n Language type.
  { files: ['src/core/**/*.ts'], only: ['core', 'i18n'], libs: true },
  // domain: pure rules; only domain, core, i18n types and the error catalogue.
  { files: ['src/domain/**/*.ts'], only: ['domain', 'core', 'i18n', 'errors'], libs: true },
  { files: ['src/storage/**/*.ts'], forbid: ['conversation', 'staff', 'channels', 'tickets', 'app'] },
  { files: ['src/outbox/**/*.ts'], forbid: ['conversation', 'staff', 'channels', 'tickets', 'app'] },
  { files: ['src/notify/**/*.ts'], forbid: ['conversation', 'staff', 'channels', 'tickets', 'app'] },
  // tickets/ sits below the features that use it (escalation, feedback and the command modules).
  {
    files: ['src/tickets/**/*.ts'],
    forbid: ['conversation', 'staff', 'channels', 'app', 'escalation', 'feedback', ...COMMAND_MODULE_FOLDERS],
  },
  // The pure engine files also stay free of chat and database libraries.
  {
    files: [
      'src/conversation/engine.ts',
      'src/conversation/turn.ts',
      'src/conversation/prompts.ts',
      'src/conversation/flow-navigation.ts',
      'src/conversation/citizen-commands.ts',
      'src/conversation/awaited-answers.ts',
      'src/conversation/steps/*.ts',
      'src/conversation/types.ts',
      'src/conversation/flow-definition.ts',
      'src/conversation/choice-matcher.ts',
      'src/conversation/text-*.ts',
    ],
    forbid: ['channels', 'staff', 'app'],
    libs: true,
  },
  { files: ['src/conversation/**/*.ts'], forbid: ['channels', 'staff', 'app'] },
  { files: ['src/feedback/**/*.ts', 'src/escalation/**/*.ts'], forbid: ['channels', 'staff', 'conversation', 'app'] },
  // staff/ (the router and its built-in modules) and the plugged-in command modules beside it
  // are peers joined only at the composition root (src/staff-router.ts): neither imports the other, so no cycle can form between
  // them. What both need lives below them (core/paging.ts, tickets/ticket-refusal.ts).
  { files: ['src/staff/**/*.ts'], forbid: ['channels', 'app', ...COMMAND_MODULE_FOLDERS] },
  { files: COMMAND_MODULE_FOLDERS.map((f) => `src/${f}/**/*.ts`), forbid: ['channels', 'staff', 'app'] },
];

// Known violations not yet removed: [file, folder it may still import, why]. Each entry
// lifts only that one folder for that one file, so new violations anywhere are still errors.
const LAYER_EXCEPTIONS = [
  ['src/storage/conversation-store.ts', 'conversation', "persists ConversationState, the engine's own type"],
  ['src/storage/models.ts', 'conversation', 'the conversation schema is typed by ConversationState'],
];

function layerRules() {
  const blocks = [];
  const claimed = new Set();
  for (const layer of LAYERS) {
    const files = layer.files.filter((f) => !claimed.has(f));
    layer.files.forEach((f) => claimed.add(f));
    const exceptions = LAYER_EXCEPTIONS.filter(([file]) =>
      files.some((glob) => file.startsWith(glob.replace(/\*.*$/, '')) || file === glob),
    );
    const rule = (allowed = []) => {
      const patterns = layer.only
        ? [
            {
              regex: `^\\.\\./(?!(${[...layer.only, ...allowed].join('|')})(/|$))`,
              message: `this layer imports only ${layer.only.join(', ')} (README "Architecture")`,
            },
          ]
        : layer.forbid
            .filter((f) => !allowed.includes(f))
            .map((f) => ({ regex: folder(f), message: `${f}/ is above this layer (README "Architecture")` }));
      if (layer.libs)
        patterns.push(
          ...channelAndStorageLibs.map((group) => ({
            group: [group],
            message: 'domain and engine stay free of channel and storage libraries',
          })),
        );
      return { 'no-restricted-imports': ['error', { patterns }] };
    };
    const earlier = blocks.flatMap((b) => b.files);
    blocks.push({ files, ignores: [...exceptions.map(([file]) => file), ...earlier], rules: rule() });
    for (const [file] of exceptions) {
      if (earlier.includes(file)) continue;
      blocks.push({ files: [file], rules: rule(exceptions.filter(([f]) => f === file).map(([, target]) => target)) });
    }
  }
  return blocks;
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'data/**',
      '.cache/**',
      'coverage/**',
      'test-artifacts/**',
      'src/http/public/**',
      'src/dashboard/public/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
      'no-console': 'off',
    },
  },
  ...layerRules(),
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
