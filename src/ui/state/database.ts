// The UI's one IndexedDB connection, opened on first use and shared by every state module.
import { openPlaygroundDb, type PlaygroundDb } from '../../data/store';

let connection: Promise<PlaygroundDb> | null = null;

export function database(): Promise<PlaygroundDb> {
  connection ??= openPlaygroundDb();
  // A failed open (private mode, blocked) is retried on the next call rather than cached forever.
  connection.catch(() => (connection = null));
  return connection;
}
