// Holds the write lock of a SQLite file until killed: a stand-in for "another program has the store".
// In WAL mode readers still get through; writers wait for the busy timeout and then fail with SQLITE_BUSY.
// Usage: node lock-sqlite.cjs <file>   (prints "locked" once the lock is held)
const sqlite3 = require('sqlite3');
const db = new sqlite3.Database(process.argv[2]);
db.configure('busyTimeout', 5000);
db.serialize(() => {
  db.run('BEGIN IMMEDIATE');
  db.run('CREATE TABLE IF NOT EXISTS lock_probe(x)');
  db.run('INSERT INTO lock_probe VALUES (1)', (err) => {
    if (err) {
      console.error(err.message);
      process.exit(1);
    }
    console.log('locked');
  });
});
setInterval(() => {}, 1000);
