# r53sim: `make run` starts the two-region demo, `make test` runs every test.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

# Build and runtime dependencies, all from Debian 12.
BUILD_PACKAGES := cmake g++ make pkg-config libboost1.81-dev libboost-json1.81-dev \
  libboost-url1.81-dev libboost-program-options1.81-dev libldns-dev libyaml-cpp-dev \
  libgtest-dev prometheus-cpp-dev libssl-dev zlib1g-dev libxml2-dev iso-codes
# What the tests and benchmarks drive r53sim with.
TEST_PACKAGES := dnsutils nsd dnsperf prometheus python3 openssl awscli python3-boto3 \
  python3-pytest procps iproute2 curl python3-yaml dpkg-dev file \
  python3-venv python3-setuptools golang-go nodejs etcd-server chromium chromium-driver \
  python3-selenium debootstrap docker.io
ALL_PACKAGES := $(BUILD_PACKAGES) $(TEST_PACKAGES)

FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := dns_query config_yaml change_batch http_response admin_request

.PHONY: all deps build run test test-sanitize bench fuzz soak clean format package image compose-up

all: build

deps:
	@ALL="$(ALL_PACKAGES)" sh .ci/install-deps

$(BUILD_DIR)/build.ninja $(BUILD_DIR)/Makefile:
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/Makefile
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	sh server/demo/run-demo.sh $(BUILD_DIR)/server/r53sim

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-sanitize: deps
	cmake -S . -B build-sanitize -DR53SIM_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug
	cmake --build build-sanitize -j $(JOBS)
	cd build-sanitize && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

bench: build
	R53SIM_BINARY=$(BUILD_DIR)/server/r53sim bash tests/bench/dnsperf.sh

# Debian package: dpkg-shlibdeps turns the binary's libraries into the package's Depends.
package: build
	cd $(BUILD_DIR) && cpack -G DEB

image:
	docker build -f docker/Dockerfile -t r53sim:local .

compose-up:
	docker compose -f docker/compose.yaml up -d --build

# libFuzzer (clang) on every target for FUZZ_SECONDS each; new inputs go to $(FUZZ_DIR)/corpus/,
# crashes to $(FUZZ_DIR)/artifacts/<target>/ (copy them into tests/fuzz/corpus/<target>/).
fuzz: deps
	@ALL="clang libclang-rt-14-dev" sh .ci/install-deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -DR53SIM_FUZZ=ON -DR53SIM_WERROR=OFF \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g"
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/artifacts/$$t; \
	  $(FUZZ_DIR)/tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -rss_limit_mb=3072 -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/artifacts/$$t/ \
	    $(FUZZ_DIR)/corpus/$$t tests/fuzz/corpus/$$t; \
	done

# Ten minutes of dnsperf against a failover record while health flips and the config reloads.
soak: build
	R53SIM_BINARY=$(BUILD_DIR)/server/r53sim bash tests/soak/soak.sh

clean:
	rm -rf $(BUILD_DIR) build-sanitize

format:
	find config resolver healthcheck server tests -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i
