# Convenience targets; each calls a script in util/ or bench/.

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

clean:
	rm -rf build t/servroot

.PHONY: default build test demo bench package package-check clean
