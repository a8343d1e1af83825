// Command minio-admin gives the local lakehouse's MinIO a user that holds only a given policy.
//
// The job writes table data as that user rather than as MinIO's root, which bypasses every
// policy: with no s3:DeleteObject in its policy, nothing the job's DuckDB sends can delete
// committed data (Iceberg removes rows with new snapshots; orphaned files are the catalog's
// maintenance job). Idempotent: running it again updates the user's secret and policy.
//
//	minio-admin -endpoint 127.0.0.1:9000 -root-user admin -root-password password \
//	  -user openaq-job -password secret -policy-name openaq-job -policy-file policy.json
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/minio/madmin-go/v3"
)

func main() {
	endpoint := flag.String("endpoint", "", "MinIO host:port")
	rootUser := flag.String("root-user", "", "MinIO root user")
	rootPassword := flag.String("root-password", "", "MinIO root password")
	user := flag.String("user", "", "access key of the user to create or update")
	password := flag.String("password", "", "secret key of that user")
	policyName := flag.String("policy-name", "", "name of the canned policy to create or update")
	policyFile := flag.String("policy-file", "", "IAM policy document (JSON) for the user")
	flag.Parse()
	for name, value := range map[string]string{
		"endpoint": *endpoint, "root-user": *rootUser, "root-password": *rootPassword,
		"user": *user, "password": *password, "policy-name": *policyName, "policy-file": *policyFile,
	} {
		if value == "" {
			fail(fmt.Errorf("expected -%s to be set", name))
		}
	}
	policy, err := os.ReadFile(*policyFile)
	if err != nil {
		fail(err)
	}
	admin, err := madmin.New(*endpoint, *rootUser, *rootPassword, false)
	if err != nil {
		fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := admin.AddCannedPolicy(ctx, *policyName, policy); err != nil {
		fail(fmt.Errorf("add policy %s: %w", *policyName, err))
	}
	if err := admin.AddUser(ctx, *user, *password); err != nil {
		fail(fmt.Errorf("add user %s: %w", *user, err))
	}
	_, err = admin.AttachPolicy(ctx, madmin.PolicyAssociationReq{Policies: []string{*policyName}, User: *user})
	// Attaching a policy the user already holds is refused as a no-op; that is the idempotent case.
	if err != nil && !strings.Contains(err.Error(), "already") {
		fail(fmt.Errorf("attach policy %s to %s: %w", *policyName, *user, err))
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "minio-admin: %v\n", err)
	os.Exit(1)
}
