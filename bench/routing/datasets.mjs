/**
 * Loads the public routing data sets (../shared/data, each folder's SOURCE.md describes it) into one shape and
 * declares the split shared by bench/routing/train-router.mjs and bench/routing/evaluate-router.mjs:
 *
 *   { source, prompt, strong: 0|1, weak: 0|1, strongUsd?, weakUsd?, strongOutChars?, weakOutChars?, split }
 *
 * Split (declared, deterministic, no randomness):
 * - routellm MMLU and GSM8K: sha256(prompt) → first 4 bytes as an unsigned integer, mod 100 < 40 → "train" (40%),
 *   the rest → "test" (60%, the only part reported). Prompts listed in each contaminated_prompts.jsonl are dropped.
 * - routerbench_zs (ARC-Challenge, MBPP, Winogrande): its own *_train.csv → "train", *_test.csv → "test".
 * - Inside "train", sha256 byte 4 mod 4 === 0 marks a "validation" quarter used only to choose hyper-parameters
 *   (label kind, L2 strength); the shipped model is refit on the whole train split.
 * Strong model: gpt-4-1106-preview; weak model: Mixtral-8x7B-Instruct (routellm) / mixtral-8x7b-chat (routerbench).
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const DATA_ROOT = new URL('../../../shared/data/', import.meta.url).pathname;
export const TRAIN_PERCENT = 40;
export const STRONG = 'gpt-4-1106-preview';

/** RFC 4180 CSV: quoted fields with "" escapes and embedded newlines. Returns rows of strings (built by slicing). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let index = 0;
  while (index < text.length) {
    let field = '';
    if (text[index] === '"') {
      let from = index + 1;
      for (;;) {
        const close = text.indexOf('"', from);
        if (close === -1) throw new Error('unterminated quoted CSV field');
        field += text.slice(from, close);
        if (text[close + 1] === '"') { field += '"'; from = close + 2; continue; }
        index = close + 1;
        break;
      }
    } else {
      let end = index;
      while (end < text.length && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r') end += 1;
      field = text.slice(index, end);
      index = end;
    }
    row.push(field);
    if (text[index] === ',') { index += 1; continue; }
    if (text[index] === '\r') index += 1;
    if (text[index] === '\n') index += 1;
    rows.push(row);
    row = [];
  }
  return rows;
}

function csvObjects(path) {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  return rows.filter((row) => row.length === header.length).map((row) => Object.fromEntries(header.map((name, index) => [name, row[index]])));
}

/** RouterBench prompts are Python list literals of strings ("['...', '...']"): decode and join them. */
export function decodePythonList(literal) {
  const text = literal.trim();
  if (!text.startsWith('[')) return text;
  const parts = [];
  let index = 1;
  while (index < text.length) {
    const quote = text[index];
    if (quote !== "'" && quote !== '"') { index += 1; continue; }
    let value = '';
    index += 1;
    while (index < text.length && text[index] !== quote) {
      if (text[index] === '\\') {
        const next = text[index + 1];
        value += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
        index += 2;
      } else { value += text[index]; index += 1; }
    }
    parts.push(value);
    index += 1;
  }
  return parts.join('\n');
}

function digest(prompt) {
  return createHash('sha256').update(prompt).digest();
}

/** "train" | "test" for the hash-split sources. */
export function hashSplit(prompt) {
  return digest(prompt).readUInt32BE(0) % 100 < TRAIN_PERCENT ? 'train' : 'test';
}

export function isValidation(prompt) {
  return digest(prompt)[4] % 4 === 0;
}

const bool = (value) => (value === 'True' || value === 'true' || value === '1' || value === '1.0' ? 1 : 0);

function contaminated(folder) {
  const lines = readFileSync(join(DATA_ROOT, 'routellm-evals', folder, 'contaminated_prompts.jsonl'), 'utf8').split('\n').filter(Boolean);
  return new Set(lines.map((line) => JSON.parse(line).eval_prompt.trim()));
}

function loadMmlu(stats) {
  const dir = join(DATA_ROOT, 'routellm-evals/mmlu_responses');
  const excluded = contaminated('mmlu_responses');
  const items = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.csv')).sort()) {
    for (const row of csvObjects(join(dir, file))) {
      if (excluded.has(row.prompt.trim())) { stats.mmluExcluded += 1; continue; }
      items.push({ source: 'mmlu', prompt: row.prompt, strong: bool(row[STRONG]), weak: bool(row['mistralai/Mixtral-8x7B-Instruct-v0.1']), subject: file.slice(5, -4) });
    }
  }
  return items;
}

function loadGsm8k(stats) {
  const excluded = contaminated('gsm8k');
  const items = [];
  for (const row of csvObjects(join(DATA_ROOT, 'routellm-evals/gsm8k/gsm8k_responses.csv'))) {
    if (excluded.has(row.prompt.trim())) { stats.gsm8kExcluded += 1; continue; }
    items.push({
      source: 'gsm8k', prompt: row.prompt, strong: bool(row[STRONG]), weak: bool(row['mistralai/Mixtral-8x7B-Instruct-v0.1']),
      strongOutChars: row[`${STRONG}_response`].length, weakOutChars: row['mistralai/Mixtral-8x7B-Instruct-v0.1_response'].length,
    });
  }
  return items;
}

const ROUTERBENCH_WEAK = 'mistralai/mixtral-8x7b-chat';

function loadRouterbench(name, split, stats) {
  const items = [];
  for (const row of csvObjects(join(DATA_ROOT, `routerbench-subset/routerbench_zs/${name}_${split}.csv`))) {
    if (row[STRONG] === '' || row[ROUTERBENCH_WEAK] === '') { stats.routerbenchMissing += 1; continue; }
    items.push({
      source: `rb-${name}`, prompt: decodePythonList(row.prompt), strong: Number(row[STRONG]) >= 0.5 ? 1 : 0, weak: Number(row[ROUTERBENCH_WEAK]) >= 0.5 ? 1 : 0,
      strongUsd: Number(row[`${STRONG}|total_cost`]), weakUsd: Number(row[`${ROUTERBENCH_WEAK}|total_cost`]), split,
    });
  }
  return items;
}

/** Every item of every source with its split; `stats` counts what was excluded. */
export function loadAll() {
  const stats = { mmluExcluded: 0, gsm8kExcluded: 0, routerbenchMissing: 0 };
  const items = [];
  for (const item of [...loadMmlu(stats), ...loadGsm8k(stats)]) items.push({ ...item, split: hashSplit(item.prompt) });
  for (const name of ['arc_challenge', 'mbpp', 'winograde']) for (const split of ['train', 'test']) items.push(...loadRouterbench(name, split, stats));
  for (const item of items) item.validation = item.split === 'train' && isValidation(item.prompt);
  return { items, stats };
}

export const SOURCES = ['mmlu', 'gsm8k', 'rb-arc_challenge', 'rb-mbpp', 'rb-winograde'];

/** The canonical request a data set prompt stands for: one user message. */
export function toInput(prompt) {
  return { messages: [{ role: 'user', content: [{ type: 'text', text: prompt }] }] };
}
