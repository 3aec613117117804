/**
 * What the property tests share: a fixed seed, so CI is deterministic (FC_SEED=<n> explores another part of the
 * space), and the IDs a user could give.
 */
import fc from 'fast-check'

export const SEED = Number(process.env.FC_SEED ?? 20250611)
export function run<T>(property: fc.IAsyncProperty<T>, numRuns: number): Promise<void>
export function run<T>(property: fc.IProperty<T>, numRuns: number): void
export function run<T>(property: fc.IProperty<T> | fc.IAsyncProperty<T>, numRuns: number): void | Promise<void> {
  return fc.assert(property as fc.IAsyncProperty<T>, { seed: SEED, numRuns })
}

/** Printable ASCII (0x21–0x7E) without / \ ? # %. */
const ID_CHARS = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).filter(
  c => !'/\\?#%'.includes(c)
)
export const validId = fc
  .oneof(
    { arbitrary: fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 1, maxLength: 24 }), weight: 5 },
    { arbitrary: fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 200, maxLength: 256 }), weight: 1 },
    {
      arbitrary: fc.constantFrom(
        '...',
        '.a',
        'a.',
        '..a',
        '.-',
        '::warning::x',
        '"',
        "'",
        '[x]',
        '<b>',
        '{}',
        '`',
        '|',
        '^',
        '~',
        '*',
        '+',
        '&=;:@$!',
        ','
      ),
      weight: 1
    }
  )
  .filter(id => id !== '.' && id !== '..')
