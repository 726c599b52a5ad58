# Convenience targets; each calls a script in util/, bench/ or t/fuzz/.

default: build

build:
	util/build

test:
	util/test

demo:
	util/demo

bench:
	bench/run

package:
	util/package

package-check:
	util/package-check

# Intercom's delivery policy through outages (a few minutes; not in util/test):
# the fleet and queue models first (seconds), then against nginx
policy: build
	perl t/policy/schedule.pl
	util/intercom-policy --model=fleet,queue
	util/intercom-policy $(POLICY_ARGS)

# fault and load checks with a soak of FAULTS_SOAK seconds (default 300)
faults:
	util/faults

# the suite against nginx built with ASan, UBSan and NGX_DEBUG_PALLOC
sanitize:
	util/sanitize

# the suite against the newest nginx Debian publishes, gcc and clang
compat:
	util/compat

# the suite under valgrind
valgrind:
	TEST_NGINX_USE_VALGRIND=1 util/test

# all that CI runs
ci:
	.ci/run

# the libFuzzer harnesses, 10 minutes each (t/fuzz/run 20: a short run)
fuzz:
	t/fuzz/run 600

clean:
	rm -rf build t/servroot

.PHONY: default build test demo bench package package-check policy faults \
        sanitize compat valgrind ci fuzz clean
