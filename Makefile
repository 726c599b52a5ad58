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

clean:
	rm -rf build t/servroot

.PHONY: default build test demo bench clean
