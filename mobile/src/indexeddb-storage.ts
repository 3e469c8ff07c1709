/** The vault in IndexedDB (the H5 app). One object store, one record per phone profile. */
import type { VaultStorage } from './vault.js';

export function indexedDbStorage(database = 'medsign', key = 'phone'): VaultStorage {
  const open = () =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(database, 1);
      r.onupgradeneeded = () => r.result.createObjectStore('vault');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  const run = async <T>(mode: IDBTransactionMode, op: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const db = await open();
    try {
      return await new Promise<T>((resolve, reject) => {
        const req = op(db.transaction('vault', mode).objectStore('vault'));
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    } finally {
      db.close();
    }
  };
  return {
    load: async () => (await run<string | undefined>('readonly', (s) => s.get(key) as IDBRequest<string | undefined>)) ?? undefined,
    save: async (text) => void (await run('readwrite', (s) => s.put(text, key))),
  };
}
