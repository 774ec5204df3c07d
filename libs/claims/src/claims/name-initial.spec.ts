import { nameInitial } from './name-initial.js';

describe('nameInitial (spec §7: "J. D.")', () => {
  it.each([
    ['John', 'Doe', 'J. D.'],
    ['JOHN', 'DOE', 'J. D.'],
    ['john', 'doe', 'J. D.'],
    ['Jean Paul', 'Doe', 'J. D.'],
    ['Jean-Paul', 'Doe', 'J. D.'],
    ['  John  ', '  Doe', 'J. D.'],
    ['John', 'van der Berg', 'J. V.'],
    ['Maria', 'de la Cruz Ortega', 'M. D.'],
    ['Gerard', "'t Hooft", 'G. T.'],
    ['-Anne', '(Doe)', 'A. D.'],
    ['Émile', 'Zola', 'É. Z.'],
    ['E\u0301mile', 'Zola', 'É. Z.'],
    ['Łukasz', 'Żółć', 'Ł. Ż.'],
    ['ivan', 'ıvanov', 'I. I.'],
    ['Αλέξανδρος', 'Παπαδόπουλος', 'Α. Π.'],
    ['Иван', 'Петров', 'И. П.'],
    ['美咲', '山田', '美. 山.'],
  ])('%j + %j → %j', (given, family, expected) => {
    expect(nameInitial(given, family)).toBe(expected);
  });

  it('gives only the family initial when there is no given name', () => {
    expect(nameInitial('', 'Doe')).toBe('D.');
    expect(nameInitial('   ', 'Doe')).toBe('D.');
  });

  it('gives only the given initial when there is no family name', () => {
    expect(nameInitial('John', '')).toBe('J.');
  });

  it('is empty when neither name has a letter', () => {
    expect(nameInitial('', '')).toBe('');
    expect(nameInitial('-', '42')).toBe('');
  });
});
