import { describe, expect, it } from 'vitest';
import { formatTable, usd } from './table.js';

describe('formatTable', () => {
  it('right-aligns numeric columns (an "unpriced" cost included) and left-aligns text', () => {
    const text = formatTable(['feature', 'cost'], [['search', '$0.0548'], ['lab', 'unpriced']]);
    expect(text.split('\n')).toEqual(['feature      cost', '-------  --------', 'search    $0.0548', 'lab      unpriced']);
  });

  it('prints small amounts with enough digits', () => {
    expect([usd(0), usd(0.000001), usd(0.0548)]).toEqual(['$0', '$0.000001', '$0.0548']);
  });
});
