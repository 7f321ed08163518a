import { normaliseSearchText } from './search-text';

describe('normaliseSearchText', () => {
  it('folds case, full-width characters and separators', () => {
    expect(normaliseSearchText('ＳＦ 1234-5678_9.0·1')).toBe('sf12345678901');
    expect(normaliseSearchText('12-03')).toBe(normaliseSearchText('1203'));
    expect(normaliseSearchText('Li  Wei')).toBe('liwei');
    expect(normaliseSearchText('李 伟')).toBe('李伟');
  });
});
