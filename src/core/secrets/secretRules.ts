/**
 * The rules of the secrets guard: well-known credential formats, each taken from a maintained rule set,
 * and the file names that hold credentials by convention. No rule keys on a "secret-sounding" variable
 * name plus entropy: in a codebase about tokens that flagged `token: vscode.CancellationToken` and
 * `maxWindowTokens` (issue 10). Sources, read at these commits:
 * - gitleaks@b58d3f102cf3a2c84cb7f923d05c25c9b1aed84b:config/gitleaks.toml (ids quoted per rule);
 * - secretlint@18346ba31b8173d52060b971221ab38c1943def0:packages/@secretlint/secretlint-rule-<name>/src/index.ts;
 * - GitHub secret scanning: https://docs.github.com/en/code-security/secret-scanning/introduction/supported-secret-scanning-patterns;
 * - file names: michenriksen/gitrob@7be4c5306a61383a3ba16777b520b3c2a8956a1e:core/signatures.go, gitleaks' `pkcs12-file`,
 *   secretlint-rule-no-dotenv and secretlint-rule-gcp (service-account JSON).
 * Patterns are re-expressed for JavaScript with bounded repeats and a literal start, so one pass stays linear.
 */

/** A content rule: a pattern that finds candidates and an optional check that rejects placeholders. */
export interface SecretContentRule {
  /** Stable id (also the test vocabulary). */
  readonly id: string;
  /** What the user reads: the kind of credential found. */
  readonly hint: string;
  /**
   * Literal strings one of which every match contains (gitleaks' `keywords`): the pattern runs only on text
   * that holds one, because `includes` scans about four times faster than a pattern with `\b` or alternation.
   */
  readonly keywords: readonly string[];
  /** Global pattern; its first capture group (or the whole match) is the candidate value. */
  readonly pattern: RegExp;
  /** False for a candidate that is a documented example, a placeholder or not the format after all. */
  readonly accept?: (match: RegExpExecArray, text: string) => boolean;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

const valueOf = (match: RegExpExecArray): string => match[1] ?? match[0];
/** gitleaks gives most token rules `entropy = 3`: it rejects `ghp_xxxx…`, `AKIAXXXX…` style placeholders. */
const minEntropy =
  (bits: number) =>
  (match: RegExpExecArray): boolean =>
    shannonEntropy(valueOf(match)) >= bits;

/**
 * AWS's documentation keys (AKIAIOSFODNN7EXAMPLE, wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY and variants) all say
 * EXAMPLE: secretlint-rule-aws BUILTIN_IGNORED lists the two, gitleaks allowlists `.+EXAMPLE$`.
 */
const awsExample = /EXAMPLE/;

/** Minimum base64 body of a PEM private key: below it the "key" is a header string in a parser or a doc. */
const minPemBodyChars = 64;
const pemEndMarker = /-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/;

/**
 * True when a private-key header at `index` is followed by a real base64 body and its END line. The body
 * may be raw, JSON-escaped (`\n`), or split over concatenated string literals (`"MIIE…\n" +`): escapes
 * become line breaks, a quote-plus-quote joint is dropped, then quotes and separators; `Key: value` header
 * lines (encrypted PEM) are skipped. `+` inside the body is base64 and stays.
 */
function pemBodyFollows(text: string, index: number, headerLength: number): boolean {
  const window = text.slice(index + headerLength, index + headerLength + 20_000);
  const end = pemEndMarker.exec(window);
  if (!end) return false;
  const body = window
    .slice(0, end.index)
    .replace(/\\[nr]/g, '\n')
    .replace(/["'`][ \t\r\n]{0,40}\+[ \t\r\n]{0,40}["'`]/g, '\n')
    .split('\n')
    .filter((line) => !/^[\s"'`]*[A-Za-z-]+:\s/.test(line))
    .join('')
    .replace(/[\s"'`,;\\]/g, '');
  return body.length >= minPemBodyChars && /^[A-Za-z0-9+/=]+$/.test(body);
}

/** Decodes one base64url JWT segment to a JSON object, or undefined. */
function jwtSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
    const parsed: unknown = JSON.parse(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Template and placeholder shapes in URLs and config (secretlint-rule-database-connection-string / basicauth). */
const templateLike =
  /\$\{[^}]{1,50}\}|\{\{[^}]{1,50}\}\}|\{[^}]{1,50}\}|%[A-Za-z_]{1,30}%|\$[A-Za-z_]{1,30}|\$\([^)]{1,50}\)|<[^>]{1,50}>|^\*+$|^\.{3,}$/;
/**
 * Words that make a URL password a placeholder when it contains them: secretlint-rule-basicauth's
 * BUILTIN_IGNORED_PATTERNS (matched by `includes` there too) plus classic documentation stand-ins.
 */
const placeholderWords = [
  'password',
  'passwd',
  'pass',
  'secret',
  'changeme',
  'change_me',
  'example',
  'placeholder',
  'redacted',
  'xyzzy',
  'hunter2',
];
/** Exact placeholders (secretlint-rule-database-connection-string compares these exactly). */
const placeholderPasswords = new Set([
  'pwd',
  'pw',
  'test',
  'testing',
  'foo',
  'bar',
  'baz',
  'foobar',
  'xxx',
  'username',
  'user',
  'root',
  'admin',
  'localhost',
]);
/** Hosts reserved for documentation (RFC 2606, RFC 6761): a credential for them reaches nothing. */
const documentationHost = /(?:^|\.)example\.(?:com|net|org)$|\.(?:test|example|invalid)$/i;

/** A URL's user:password pair is a credential unless it is a template, a placeholder, the user repeated or for an example host. */
function realUrlCredential(match: RegExpExecArray): boolean {
  const user = decodeUri(match[1] ?? '');
  const password = decodeUri(match[2] ?? '');
  const host = (match[3] ?? '').toLowerCase();
  if (password.length < 4 || user === password) return false;
  if (templateLike.test(password) || templateLike.test(user)) return false;
  const lowered = password.toLowerCase();
  if (placeholderPasswords.has(lowered) || placeholderWords.some((word) => lowered.includes(word))) return false;
  if (/^(.)\1+$/.test(password)) return false;
  return !documentationHost.test(host);
}

function decodeUri(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The content rules, cheapest and most common first. */
export const secretContentRules: readonly SecretContentRule[] = [
  {
    // gitleaks `private-key`; secretlint-rule-privatekey (body of 100+ base64 characters between BEGIN and END).
    id: 'private-key',
    hint: 'private key block',
    keywords: ['PRIVATE KEY'],
    pattern: /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/g,
    accept: (match, text) => pemBodyFollows(text, match.index, match[0].length),
  },
  {
    // gitleaks `aws-access-token` (base32 body, entropy 3); secretlint-rule-aws ignores AKIAIOSFODNN7EXAMPLE.
    id: 'aws-access-key-id',
    hint: 'AWS access key id',
    keywords: ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'A3T'],
    pattern: /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g,
    accept: (match) => !awsExample.test(match[0]) && shannonEntropy(match[0]) >= 3,
  },
  {
    // secretlint-rule-aws reportAWSSecretAccessKey: the name `aws_secret_access_key` (any case, `access` optional
    // as in git-secrets, which secretlint cites) then a 40-character base64 value. A bare 40-character value has
    // no format to find, so the name is required; the value may follow it anywhere on the same line within 60
    // characters, so calls and casts between them (`String::from("…")`, `os.getenv(…, "…")`) do not hide it.
    id: 'aws-secret-access-key',
    hint: 'AWS secret access key',
    keywords: ['secret', 'SECRET', 'Secret'],
    pattern: /(?:aws)?[_-]?secret[_-]?(?:access[_-]?)?key[^\n]{0,60}?(?<![A-Za-z0-9/+])([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
    // Entropy >= 4 rules out 40-digit hex (SHA-1 hashes top out at 4 bits per character); real keys mix cases and digits.
    accept: (match) => {
      const value = match[1]!;
      return !awsExample.test(value) && shannonEntropy(value) >= 4 && /\d/.test(value) && /[a-z]/.test(value) && /[A-Z]/.test(value);
    },
  },
  {
    // gitleaks `github-pat`, `github-oauth`, `github-app-token`, `github-refresh-token`, `github-fine-grained-pat`.
    id: 'github-token',
    hint: 'GitHub token',
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})\b/g,
    accept: minEntropy(3),
  },
  {
    // gitleaks `gitlab-pat`, `gitlab-pat-routable`, `gitlab-deploy-token`, `gitlab-runner-authentication-token`,
    // `gitlab-ptt`, `gitlab-cicd-job-token`; secretlint-rule-gitlab (glpat- + 20..128).
    id: 'gitlab-token',
    hint: 'GitLab token',
    keywords: ['glpat-', 'gldt-', 'glrt-', 'glptt-', 'glcbt-', 'glft-', 'glsoat-', 'gloas-'],
    pattern: /\bgl(?:pat|dt|rt|ptt|cbt|ft|soat|oas)-[A-Za-z0-9_-]{20,300}(?![A-Za-z0-9_-])/g,
    accept: minEntropy(3),
  },
  {
    // gitleaks `slack-bot-token`, `slack-user-token`, `slack-legacy-*`; secretlint-rule-slack.
    id: 'slack-token',
    hint: 'Slack token',
    keywords: ['xox', 'xapp-'],
    pattern: /\bxox[abeoprs]-[0-9]{1,13}-[0-9A-Za-z-]{10,250}|\bxapp-\d-[A-Z0-9]{4,20}-\d{4,20}-[a-z0-9]{20,100}/g,
    accept: minEntropy(3),
  },
  {
    // gitleaks `slack-webhook-url`; secretlint-rule-slack IncomingWebhooksPattern. Slack's doc placeholder
    // (…/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX) has no entropy in its last segment.
    id: 'slack-webhook',
    hint: 'Slack webhook URL',
    keywords: ['hooks.slack.com'],
    pattern: /hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,120}/g,
    accept: (match) => shannonEntropy(match[0].slice(match[0].lastIndexOf('/') + 1)) >= 3,
  },
  {
    // gitleaks `stripe-access-token`; secretlint-rule-stripe (24..99 characters).
    id: 'stripe-key',
    hint: 'Stripe secret key',
    keywords: ['k_live_', 'k_test_', 'k_prod_'],
    pattern: /\b[rs]k_(?:live|test|prod)_[A-Za-z0-9]{24,99}(?![A-Za-z0-9])/g,
    accept: minEntropy(3),
  },
  {
    // gitleaks `gcp-api-key` (entropy 4); GitHub secret scanning `google_api_key`.
    id: 'google-api-key',
    hint: 'Google API key',
    keywords: ['AIza'],
    pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g,
    accept: minEntropy(4),
  },
  {
    // gitleaks `openai-api-key` and secretlint-rule-openai: every OpenAI key format carries `T3BlbkFJ`
    // (base64 of "OpenAI") between two random parts; lengths are widened to cover all published formats.
    id: 'openai-api-key',
    hint: 'OpenAI API key',
    keywords: ['T3BlbkFJ'],
    pattern: /\bsk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,100}T3BlbkFJ[A-Za-z0-9_-]{20,100}/g,
  },
  {
    // gitleaks `anthropic-api-key`, `anthropic-admin-api-key`; secretlint-rule-anthropic (90..128 + AA).
    id: 'anthropic-api-key',
    hint: 'Anthropic API key',
    keywords: ['sk-ant-'],
    pattern: /\bsk-ant-(?:api|admin)0\d-[A-Za-z0-9_-]{80,130}AA(?![A-Za-z0-9_-])/g,
  },
  {
    // gitleaks `jwt`; a candidate counts when its header and payload decode to JSON objects, the header names
    // an `alg` other than `none`, and a signature follows (an unsigned token is not a credential).
    id: 'jwt',
    hint: 'JSON Web Token',
    keywords: ['eyJ'],
    pattern: /\bey[A-Za-z0-9_-]{10,4000}\.ey[A-Za-z0-9_-]{10,16000}\.[A-Za-z0-9_-]{16,2000}/g,
    accept: (match) => {
      const [header, payload] = match[0].split('.');
      const decodedHeader = jwtSegment(header!);
      return typeof decodedHeader?.alg === 'string' && decodedHeader.alg.toLowerCase() !== 'none' && jwtSegment(payload!) !== undefined;
    },
  },
  {
    // secretlint-rule-npm NPM_ACCESS_TOKEN_PATTERN; gitleaks `npm-access-token`.
    id: 'npm-token',
    hint: 'npm access token',
    keywords: ['npm_'],
    pattern: /\bnpm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g,
    accept: minEntropy(3),
  },
  {
    // secretlint-rule-npm AuthTokenPattern (`_authToken=` not followed by `$`), widened to `_auth` and `_password`
    // (npm's .npmrc auth keys: https://docs.npmjs.com/cli/v10/configuring-npm/npmrc#auth-related-configuration).
    id: 'npmrc-auth',
    hint: 'npm registry credentials (.npmrc auth)',
    keywords: [':_auth', ':_password'],
    pattern: /:_(?:authToken|auth|password)[ \t]{0,4}=[ \t]{0,4}["']?([^\s"'$][^\s"']{11,500})/g,
    accept: (match) => !templateLike.test(match[1]!) && !/^[A-Z_]+$/.test(match[1]!) && shannonEntropy(match[1]!) >= 3,
  },
  {
    // secretlint-rule-gcp reportIfFoundPrivateKeyJSONFormat: a service-account JSON's `private_key` holds a PEM key.
    id: 'gcp-service-account',
    hint: 'Google Cloud service-account key (JSON)',
    keywords: ['"private_key"'],
    pattern: /"private_key"[ \t]{0,8}:[ \t]{0,8}"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY-----/g,
    accept: (match, text) => pemBodyFollows(text, match.index, match[0].length),
  },
  {
    // Azure Storage / Service Bus / Event Hubs connection strings: `AccountKey=` is 64 bytes of base64 (88
    // characters), `SharedAccessKey=` 32 bytes (44). GitHub secret scanning `azure_storage_account_key`;
    // https://learn.microsoft.com/en-us/azure/storage/common/storage-configure-connection-string
    id: 'azure-storage-key',
    hint: 'Azure storage or Service Bus key',
    keywords: ['AccountKey=', 'SharedAccessKey='],
    pattern: /\b(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{42,86}={1,2})/g,
    accept: minEntropy(4),
  },
  {
    // gitleaks `azure-ad-client-secret`: 3 characters, a digit, `Q~`, then 31..34. Matched from the digit and
    // its literal `Q~` (a pattern starting with a character class would be tried at every position).
    id: 'azure-ad-client-secret',
    hint: 'Azure AD client secret',
    keywords: ['Q~'],
    pattern: /\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g,
    accept: (match, text) => {
      const start = match.index - 3;
      const secret = text.slice(Math.max(0, start), match.index + match[0].length);
      const prefixOk = start >= 0 && /^[A-Za-z0-9_~.]{3}$/.test(text.slice(start, match.index));
      return prefixOk && !/[A-Za-z0-9_~.-]/.test(text[start - 1] ?? '') && shannonEntropy(secret) >= 3;
    },
  },
  {
    // secretlint-rule-database-connection-string (mongodb, mysql, postgres), widened to the other URL-style
    // database and broker schemes; placeholders and templates are not credentials (see realUrlCredential).
    id: 'database-url-password',
    hint: 'database URL with a password',
    keywords: ['://'],
    pattern:
      /\b(?:postgres(?:ql)?|mysqlx?|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|cockroachdb|clickhouse)(?:\+[a-z0-9]{1,20})?:\/\/([^:/\s@"'`<>]{1,100}):([^@/\s"'`]{1,200})@([^/\s?"'`:,]{1,200})/gi,
    accept: realUrlCredential,
  },
  {
    // secretlint-rule-basicauth: `https://user:password@host.tld` (same placeholder checks).
    id: 'basic-auth-url',
    hint: 'URL with a password (basic auth)',
    keywords: ['://'],
    pattern: /\b(?:https?|ftps?):\/\/([-A-Za-z0-9_.%]{1,256}):([-A-Za-z0-9_.%~!*]{1,256})@([-A-Za-z0-9%._+~#=]{1,256}\.[A-Za-z]{2,6})\b/g,
    accept: realUrlCredential,
  },
  // The remaining formats of secretlint-rule-preset-recommend, each with its literal prefix.
  {
    id: 'sendgrid-key',
    hint: 'SendGrid API key',
    keywords: ['SG.'],
    pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g,
    accept: minEntropy(3),
  },
  {
    id: 'shopify-token',
    hint: 'Shopify token',
    keywords: ['shppa_', 'shpca_', 'shpat_', 'shpss_'],
    pattern: /\bshp(?:pa|ca|at|ss)_[A-Za-z0-9]{32,64}(?![A-Za-z0-9])/g,
    accept: minEntropy(3),
  },
  {
    id: 'huggingface-token',
    hint: 'Hugging Face token',
    keywords: ['hf_'],
    pattern: /\bhf_[A-Za-z]{34}(?![A-Za-z])/g,
    accept: minEntropy(3.5),
  },
  { id: 'groq-key', hint: 'Groq API key', keywords: ['gsk_'], pattern: /\bgsk_[A-Za-z0-9]{52}(?![A-Za-z0-9])/g, accept: minEntropy(3) },
  {
    id: 'linear-key',
    hint: 'Linear API key',
    keywords: ['lin_api_'],
    pattern: /\blin_api_[A-Za-z0-9_]{32,128}(?![A-Za-z0-9_])/g,
    accept: minEntropy(3),
  },
  {
    id: 'databricks-token',
    hint: 'Databricks token',
    keywords: ['dapi'],
    pattern: /\bdapi[a-f0-9]{32}(?:-\d)?(?![a-f0-9])/g,
    accept: minEntropy(3),
  },
  {
    id: 'docker-hub-token',
    hint: 'Docker Hub token',
    keywords: ['dckr_pat_'],
    pattern: /\bdckr_pat_[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])/g,
    accept: minEntropy(3),
  },
  {
    id: 'vault-token',
    hint: 'HashiCorp Vault token',
    keywords: ['hvs.', 'hvb.', 'hvr.'],
    pattern: /\bhv[sbr]\.[A-Za-z0-9_-]{90,300}(?![A-Za-z0-9_-])/g,
    accept: minEntropy(3),
  },
  {
    id: 'tailscale-key',
    hint: 'Tailscale key',
    keywords: ['tskey-'],
    pattern: /\btskey-[a-z]{2,20}-[0-9A-Za-z_]{8,40}-[0-9A-Za-z_]{16,60}(?![0-9A-Za-z_])/g,
    accept: minEntropy(3),
  },
  {
    id: 'figma-token',
    hint: 'Figma token',
    keywords: ['figd_'],
    pattern: /\bfigd_[A-Za-z0-9_-]{40,200}(?![A-Za-z0-9_-])/g,
    accept: minEntropy(3),
  },
  {
    id: 'onepassword-token',
    hint: '1Password service-account token',
    keywords: ['ops_ey'],
    pattern: /\bops_ey[A-Za-z0-9+/=]{100,1280}(?![A-Za-z0-9+/=])/g,
  },
];

/** A rule for files that hold credentials by name. */
export interface SecretFileRule {
  readonly hint: string;
  /** `baseName` is the last path segment; `path` is the posix relative path. */
  readonly test: (baseName: string, path: string) => boolean;
  /**
   * When set, the name alone is not enough: the file is a secret only when its text matches (an `.npmrc`
   * without auth lines is ordinary configuration).
   */
  readonly contentPattern?: RegExp;
}

/**
 * Files that are secrets by name. From gitrob's signatures (`.env`, `*_rsa`/`_dsa`/`_ed25519`/`_ecdsa`,
 * `.pem`, `.p12`/`.pfx`/`.pkcs12`, `.jks`, `.ppk`, `.kdbx`, `key(store)`, `.netrc`, `.git-credentials`,
 * `.pgpass`, `.htpasswd`, `.s3cfg`, `.dockercfg`, `.npmrc`, `.aws/credentials`, `credentials.xml`,
 * `terraform.tfvars`), gitleaks `pkcs12-file`, secretlint-rule-no-dotenv and secretlint-rule-gcp (service-account
 * JSON); Terraform state stores secrets in plain text: https://developer.hashicorp.com/terraform/language/state/sensitive-data
 */
export const secretFileRules: readonly SecretFileRule[] = [
  {
    hint: 'environment file (.env)',
    test: (name) => name === '.env' || (name.startsWith('.env.') && !/\.(example|sample|template|dist|defaults)$/i.test(name)),
  },
  { hint: 'SSH private key file', test: (name) => /^id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?$/.test(name) },
  { hint: 'private key or certificate store', test: (name) => /\.(?:pem|key|p12|pfx|pkcs12|jks|keystore|ppk|kdbx)$/i.test(name) },
  { hint: 'AWS credentials file', test: (_name, path) => /(?:^|\/)\.aws\/credentials$/.test(path) },
  {
    hint: 'login credentials file',
    test: (name) => /^(?:\.netrc|_netrc|\.git-credentials|\.pgpass|\.htpasswd|\.s3cfg|\.dockercfg)$/.test(name),
  },
  {
    hint: 'package-registry credentials',
    test: (name) => name === '.npmrc' || name === '.yarnrc.yml',
    contentPattern: /_(?:authToken|auth|password)\s*=|npmAuth(?:Token|Ident)\s*:/,
  },
  { hint: 'package-registry credentials', test: (name) => name === '.pypirc', contentPattern: /^\s*password\s*[=:]/m },
  {
    hint: 'credentials file',
    test: (name) =>
      /^credentials\.(?:json|xml)$/i.test(name) || /^client_secret.*\.json$/i.test(name) || /service[-_]?account.*\.json$/i.test(name),
  },
  {
    hint: 'Terraform state or variables (hold secrets in plain text)',
    test: (name) => /\.tfstate(?:\.backup)?$/.test(name) || name === 'terraform.tfvars',
  },
];
