// Lint rules that keep the layering of DESIGN.md: domain and the conversation
// engine know nothing of chat libraries or the database driver.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const channelAndStorageLibs = ['grammy', 'grammy/*', 'whatsapp-web.js', 'mongoose', 'mongodb'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', '.cache/**', 'coverage/**', 'test-artifacts/**', 'src/http/public/**', 'src/dashboard/public/**'] },
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
  {
    files: ['src/domain/**/*.ts', 'src/conversation/engine.ts', 'src/conversation/types.ts', 'src/conversation/flow-definition.ts', 'src/conversation/choice-matcher.ts', 'src/conversation/text-*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: channelAndStorageLibs.map((group) => ({ group: [group], message: 'domain and engine stay free of channel and storage libraries' })) }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
