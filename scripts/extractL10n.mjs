// Writes l10n/bundle.l10n.json: every vscode.l10n.t('…') message in src/host, the English source
// a translator copies to bundle.l10n.<locale>.json. `--check` fails when the file is out of date.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function extractMessages(root = 'src/host') {
  const messages = new Set();
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    // Either quote: Prettier writes a message holding an apostrophe in double quotes.
    for (const match of text.matchAll(/vscode\.l10n\.t\(\s*(['"])((?:(?!\1)[^\\]|\\.)*)\1/g))
      messages.add(match[2].replace(/\\(['"])/g, '$1'));
  }
  return Object.fromEntries([...messages].sort().map((message) => [message, message]));
}

if (process.argv[1] && process.argv[1].endsWith('extractL10n.mjs')) {
  const bundle = `${JSON.stringify(extractMessages(), null, 2)}\n`;
  if (process.argv.includes('--check')) {
    const current = readFileSync('l10n/bundle.l10n.json', 'utf8');
    if (current !== bundle) {
      console.error('l10n/bundle.l10n.json is out of date: run node scripts/extractL10n.mjs');
      process.exit(1);
    }
  } else {
    writeFileSync('l10n/bundle.l10n.json', bundle);
    console.log(`l10n/bundle.l10n.json: ${Object.keys(JSON.parse(bundle)).length} messages`);
  }
}
