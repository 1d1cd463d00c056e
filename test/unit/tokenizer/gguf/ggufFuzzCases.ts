// Fuzz cases for the GGUF tokenizer tests (the same kinds the tokenizer.json fuzz uses): random
// Unicode, mixtures with special-token strings of every family, long runs without whitespace,
// whitespace runs, CJK, emoji ZWJ sequences and special tokens in text. Not a test file itself.

const specialStrings = [
  '<|begin_of_text|>',
  '<|end_of_text|>',
  '<|start_header_id|>',
  '<|end_header_id|>',
  '<|eot_id|>',
  '<|im_start|>',
  '<|im_end|>',
  '<|endoftext|>',
  '<think>',
  '</think>',
  '<start_of_turn>',
  '<end_of_turn>',
  '<bos>',
  '<eos>',
  '<pad>',
  '<mask>',
  '<unused0>',
  '<｜begin▁of▁sentence｜>',
  '<｜end▁of▁sentence｜>',
  '<｜User｜>',
  '<｜Assistant｜>',
  '<tool_call>',
  '<table>',
  '</td>',
  '\n\n\n',
  '\t\t',
  '▁▁▁',
  '<|reserved_special_token_5|>',
  '<|fim_prefix|>',
  '<s>',
  '</s>',
  '<unk>',
  '<0x0A>',
];
const pieces = [
  'const x = 1;',
  'hello',
  ' world',
  "it's",
  "I'LL",
  ' 12345678',
  '３４５',
  'Ⅻ',
  'é',
  'e\u0301',
  'ﬁ',
  'Å',
  'ſ',
  'İ',
  'ß',
  '日本語',
  '中文字符',
  'ひらがな',
  'カタカナ',
  '한국어',
  'ไทย',
  'العربية',
  'עברית',
  'Ελληνικά',
  'Кириллица',
  '😀',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  '👍🏽',
  '❤️',
  '\u200d',
  '\ufeff',
  '\u00a0',
  '\u3000',
  '\u2028',
  '\u0085',
  '\r\n',
  '\n',
  '\t',
  '  ',
  '    ',
  '\\',
  '"',
  "'",
  '`',
  '...',
  '—',
  '«»',
  '!?',
  '#',
  '$',
  '%',
  '{}',
  '[]',
  '()',
  '<',
  '>',
  '/',
  '_',
  '▁',
  '\ud800',
  '\udfff',
];

function randomCodePoint(random: () => number): string {
  const r = random();
  let cp: number;
  if (r < 0.4) cp = 0x20 + Math.floor(random() * 0x60);
  else if (r < 0.6) cp = Math.floor(random() * 0x3000);
  else if (r < 0.75) cp = 0x3000 + Math.floor(random() * 0xa000);
  else if (r < 0.9) cp = 0x10000 + Math.floor(random() * 0x30000);
  else cp = Math.floor(random() * 0x110000);
  // NUL ends a C string in the probe's path to llama.cpp; lone surrogates are replaced on both sides.
  if (cp === 0) cp = 0x20;
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
  return String.fromCodePoint(cp);
}

/** `[kind, text]` pairs from a seeded generator; `scale` multiplies their number. */
export function fuzzCases(random: () => number, scale = 1): [string, string][] {
  const cases: [string, string][] = [];
  for (let i = 0; i < 150 * scale; i++) {
    let text = '';
    const length = 1 + Math.floor(random() * 60);
    for (let j = 0; j < length; j++) text += randomCodePoint(random);
    cases.push(['random unicode', text]);
    let mixed = '';
    for (let j = 0; j < 1 + Math.floor(random() * 20); j++) {
      const r = random();
      mixed +=
        r < 0.25
          ? specialStrings[Math.floor(random() * specialStrings.length)]
          : r < 0.35
            ? randomCodePoint(random)
            : pieces[Math.floor(random() * pieces.length)];
    }
    cases.push(['mixture with special-token strings', mixed]);
  }
  for (let i = 0; i < 10 * scale; i++) {
    const unit = pieces[Math.floor(random() * pieces.length)] as string;
    cases.push([
      'long run without whitespace',
      unit.trim().length > 0 ? unit.trim().repeat(200 + Math.floor(random() * 2000)) : 'a'.repeat(3000),
    ]);
    cases.push(['whitespace run', [' ', '\n', '\t', '\r\n', '\u3000', '\u00a0'][i % 6]!.repeat(1 + Math.floor(random() * 500)) + 'x']);
    cases.push(['CJK', Array.from({ length: 200 }, () => String.fromCodePoint(0x4e00 + Math.floor(random() * 0x5000))).join('')]);
    cases.push([
      'emoji ZWJ',
      Array.from({ length: 50 }, () => ['👨‍👩‍👧‍👦', '👩🏽‍💻', '🏳️‍🌈', '🧑‍🤝‍🧑', '❤️‍🔥'][Math.floor(random() * 5)]).join(random() < 0.5 ? '' : ' '),
    ]);
  }
  for (const special of specialStrings) {
    cases.push(['special token', special]);
    cases.push(['special token in text', `x${special}y ${special} ${special}${special}\n${special}`]);
  }
  return cases;
}
