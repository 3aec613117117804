/** The provider's files: which exist, and which were deleted in what order. */
export class Files {
  readonly store: Set<string>
  readonly deleted: string[] = []
  private readonly everDeleted = new Set<string>()

  constructor(ids: Iterable<string>) {
    this.store = new Set(ids)
  }

  exists(id: string): boolean {
    return this.store.has(id)
  }

  /** Whether the ID names a file that exists or was deleted here (Delos keeps soft-deleted files). */
  known(id: string): boolean {
    return this.store.has(id) || this.everDeleted.has(id)
  }

  /** Deletes an existing file; false when there was none. */
  remove(id: string): boolean {
    if (!this.store.delete(id)) return false
    this.deleted.push(id)
    this.everDeleted.add(id)
    return true
  }
}
