import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findRepositoryRoot } from './local-services';

describe('findRepositoryRoot', () => {
  it('finds the directory holding deploy/local/kafka.sh from a nested path', () => {
    const root = findRepositoryRoot(join(__dirname, 'deeper', 'still'));
    expect(existsSync(join(root, 'deploy', 'local', 'kafka.sh'))).toBe(true);
  });

  it('says what it looked for when there is no repository above', () => {
    expect(() => findRepositoryRoot('/')).toThrow('no deploy/local/kafka.sh above /');
  });
});
