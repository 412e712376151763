namespace OpsConsole.Server.Data;

/// <summary>
/// The embedded database's migrations, in order. Migration N brings the schema to version N.
/// Never edit a migration that has shipped: add a new one.
/// </summary>
internal static class Schema
{
    public static IReadOnlyList<string> Migrations { get; } =
    [
        """
        CREATE TABLE users (
            name            TEXT    NOT NULL PRIMARY KEY COLLATE NOCASE,
            role            TEXT    NOT NULL CHECK (role IN ('Viewer', 'Operator', 'Admin')),
            password_hash   TEXT    NOT NULL,
            security_stamp  TEXT    NOT NULL,
            failed_sign_ins INTEGER NOT NULL DEFAULT 0,
            locked_until    INTEGER NULL,
            created_at      INTEGER NOT NULL,
            updated_at      INTEGER NOT NULL
        );
        CREATE TABLE api_keys (
            id           TEXT    NOT NULL PRIMARY KEY,
            owner        TEXT    NOT NULL REFERENCES users (name) ON DELETE CASCADE,
            name         TEXT    NOT NULL,
            prefix       TEXT    NOT NULL,
            secret_hash  BLOB    NOT NULL UNIQUE,
            created_at   INTEGER NOT NULL,
            last_used_at INTEGER NULL,
            revoked_at   INTEGER NULL
        );
        CREATE INDEX api_keys_owner ON api_keys (owner)
        """,
    ];
}
