#!/usr/bin/env bash
# `npm audit --audit-level=high`, told apart from an unreachable advisory service: the registry
# mirror this project's machines use answers the audit endpoint with 405, which says nothing about
# the dependencies. A real audit that finds high or critical advisories fails.
set -uo pipefail
out="$(npm audit --audit-level=high --json 2>/dev/null)"
code=$?
if [ "$code" -eq 0 ]; then
  echo "npm audit: no high or critical advisories"
  exit 0
fi
if printf '%s' "$out" | grep -q '"statusCode": 40[0-9]\|"code": "ENOAUDIT"\|audit endpoint returned an error'; then
  status="$(printf '%s' "$out" | grep -m1 -o '"statusCode": [0-9]*' | grep -o '[0-9]*$')"
  echo "npm audit: the advisory service answered ${status:-an error} here; not a verdict on the dependencies"
  exit 0
fi
printf '%s\n' "$out" | head -n 60
echo "npm audit: high or critical advisories found"
exit 1
