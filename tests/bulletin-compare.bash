# Loaded (after helper) by the tests that check civic-bulletin's tables
# against an oracle: compare ARGS... runs tests/bulletin-compare.py (its
# usage is there), shows what it says, and fails when it does.

COMPARE="$CIVIC_ROOT/tests/bulletin-compare.py"

compare() {
	run /usr/bin/python3 "$COMPARE" "$@"
	echo "$output"
	assert_success
}
