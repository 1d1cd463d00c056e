// Time of the secrets scan (run in the tokenizer worker on every counted file) on adversarial 1 MB inputs.
import { secretContentHints } from '../src/core/secrets/secretScan';
const cases: Record<string, string> = {
  'minified a.b.c 1MB': 'a.b.'.repeat(250_000),
  'one letter 1MB': 'a'.repeat(1_000_000),
  'token-ish 1MB': 'token.token-'.repeat(83_000),
  'base64 1MB': Buffer.from(Array.from({ length: 750_000 }, (_, i) => (i * 7919) % 256)).toString('base64'),
  'code 1MB': 'const apiKey = process.env.API_KEY; // secret handling\n'.repeat(18_000),
};
for (const [name, text] of Object.entries(cases)) {
  const t = performance.now();
  const hints = secretContentHints(text);
  console.log(name, (performance.now() - t).toFixed(1), 'ms', hints.length);
}
