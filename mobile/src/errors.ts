/** Errors the phone shows: stable code, Chinese with English beside it. */
export class MobileError extends Error {
  override readonly name = 'MobileError';
  constructor(
    readonly code: string,
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh} (${en})`);
  }
}
