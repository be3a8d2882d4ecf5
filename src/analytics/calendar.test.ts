import { describe, expect, it } from 'vitest';
import { addDays, addMonths, dayOfWeek, daysBetween, endOfMonth, endOfQuarter, isoWeek, startOfQuarter } from './calendar.js';

describe('calendar', () => {
  it('adds days across month, year and leap-day boundaries', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(daysBetween('2025-01-01', '2025-12-31')).toBe(364);
  });

  it('names ISO weekdays (Monday = 0)', () => {
    expect(dayOfWeek('2025-03-17')).toBe(0);
    expect(dayOfWeek('2025-03-16')).toBe(6);
    expect(dayOfWeek('1970-01-01')).toBe(3);
  });

  it('finds month and calendar-quarter ends', () => {
    expect(endOfMonth('2024-02-10')).toBe('2024-02-29');
    expect(startOfQuarter('2025-05-20')).toBe('2025-04-01');
    expect(endOfQuarter('2025-05-20')).toBe('2025-06-30');
    expect(endOfQuarter('2025-12-01')).toBe('2025-12-31');
    expect(addMonths('2025-01', -1)).toBe('2024-12');
  });

  it('numbers ISO weeks by the year of their Thursday', () => {
    expect(isoWeek('2024-12-30')).toBe('2025-W01');
    expect(isoWeek('2021-01-03')).toBe('2020-W53');
    expect(isoWeek('2025-03-10')).toBe('2025-W11');
  });

  it('rejects impossible dates and months', () => {
    expect(() => addDays('2025-13-01', 1)).toThrow(/YYYY-MM-DD/);
    expect(() => addMonths('2025-00', 1)).toThrow(/YYYY-MM/);
  });
});
