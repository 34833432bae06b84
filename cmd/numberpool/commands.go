package main

import (
	"context"
	"fmt"

	"numberpool"
)

func runMigrate(ctx context.Context, a *app, args []string) error {
	cfg := defaultConfig()
	fs := a.newFlagSet("migrate", "migrate [flags]", &cfg)
	if err := a.parse(fs, &cfg, args, 0); err != nil {
		return err
	}

	store, err := openForMigration(ctx, cfg, a.storeDeps(cfg))
	if err != nil {
		return err
	}
	defer store.Close()

	applied, err := store.ApplyMigrations(ctx)
	if err != nil {
		return redactOpenError(err, cfg.DB)
	}
	version, err := store.SchemaVersion(ctx)
	if err != nil {
		return redactOpenError(err, cfg.DB)
	}
	if applied == 0 {
		fmt.Fprintf(a.stdout, "schema is up to date at version %d\n", version)
		return nil
	}
	fmt.Fprintf(a.stdout, "applied %d migrations, schema version %d\n", applied, version)
	return nil
}

func runAccountsCreate(ctx context.Context, a *app, args []string) error {
	cfg := defaultConfig()
	fs := a.newFlagSet("accounts create", "accounts create [--id acc_x] [flags]", &cfg)
	id := fs.String("id", "", "id of the new account, acc_ followed by letters, digits or underscores; generated when empty")
	if err := a.parse(fs, &cfg, args, 0); err != nil {
		return err
	}

	if *id == "" {
		*id = newAccountID()
	} else if err := numberpool.ValidateAccountID(*id); err != nil {
		return usageErrorf("invalid --id: %s", errorText(err))
	}

	store, err := openStore(ctx, cfg, a.storeDeps(cfg), false)
	if err != nil {
		return err
	}
	defer store.Close()

	if _, err := store.CreateAccount(ctx, *id); err != nil {
		if numberpool.IsCode(err, numberpool.CodeConflict) {
			return fmt.Errorf("account %s already exists: choose another --id, or leave it out to generate one", *id)
		}
		return fmt.Errorf("create account %s: %w", *id, err)
	}
	fmt.Fprintln(a.stdout, *id)
	return nil
}

// accountIDLength is the count of random base62 characters of a generated
// account id, about 71 bits.
const accountIDLength = 12

// newAccountID returns "acc_" and 12 random base62 characters. It takes them
// from an API key, whose characters are uniformly random base62 from
// crypto/rand.
func newAccountID() string {
	key := numberpool.NewAPIKey("")
	return "acc_" + key[:accountIDLength]
}

func runKeysCreate(ctx context.Context, a *app, args []string) error {
	cfg := defaultConfig()
	fs := a.newFlagSet("keys create", "keys create --account acc_x [flags]", &cfg)
	accountID := fs.String("account", "", "account that the key acts for (required)")
	if err := a.parse(fs, &cfg, args, 0); err != nil {
		return err
	}
	if *accountID == "" {
		return usageErrorf("missing --account: give the id of the account that the key acts for, e.g. --account acc_123abc")
	}
	if err := numberpool.ValidateAccountID(*accountID); err != nil {
		return usageErrorf("invalid --account: %s", errorText(err))
	}

	store, err := openStore(ctx, cfg, a.storeDeps(cfg), false)
	if err != nil {
		return err
	}
	defer store.Close()

	key, err := createKey(ctx, store, *accountID)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, key)
	return nil
}

// createKey stores the hash of a new live key of accountID and returns the
// key, which exists nowhere else.
func createKey(ctx context.Context, store numberpool.Store, accountID string) (string, error) {
	key := numberpool.NewAPIKey(numberpool.LiveKeyPrefix)
	if err := store.CreateAPIKey(ctx, accountID, numberpool.HashAPIKey(key)); err != nil {
		if numberpool.IsCode(err, numberpool.CodeNotFound) {
			return "", fmt.Errorf("account %s not found: create it first with numberpool accounts create --id %s", accountID, accountID)
		}
		return "", fmt.Errorf("create API key of account %s: %w", accountID, err)
	}
	return key, nil
}

// storeDeps returns the clock and the logger that a command's store uses.
func (a *app) storeDeps(cfg Config) storeDeps {
	return storeDeps{Clock: a.clock, Logger: cfg.newLogger(a.stderr)}
}
