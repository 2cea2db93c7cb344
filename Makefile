# SPDX-License-Identifier: GPL-2.0-or-later
#
# Out-of-tree workflow of the livepatch core.  Everything builds under
# BUILD_DIR (default ./build); see README.md.
#
#   make run            boot a VM and walk through live patching
#   make check          build, boot and run our selftests and the 6.1
#                       compatibility suite (CONFIG=preempt: preemptible
#                       kernel; CONFIG=debug: preemptible debug kernel)
#   make check-harness  show that the harness fails broken runs: a test
#                       for each rule it enforces (default CONFIG: debug)
#   make soak           debug kernel: livepatch operations under load and
#                       random allocation failures for SOAK_MINUTES (20)
#   make faults         debug kernel: test-faults.sh failing every allocation
#                       point, not the sample of make check (FAULT_STEP=1)
#   make shell          boot to an interactive guest shell
#   make build          build the kernel and test modules only
#   make bench          benchmarks: our core against upstream 6.1's, side
#                       by side in the same VM (BUILD_DIR/bench)
#   make bench-modules  only generate and build the benchmark modules
#   make patch          write our files as one diff against pristine 6.1
#   make lint           shellcheck, checkpatch, kernel-doc, W=1/sparse and a
#                       32-bit powerpc build of our files
#   make docs           build Documentation/livepatch, failing on warnings
#   make clean          remove BUILD_DIR

BUILD_DIR ?= $(CURDIR)/build
CONFIG ?= default
VMTEST := tools/testing/selftests/livepatch/vmtest.sh
SELFTESTS := /selftests/livepatch
SUITES ?= ours upstream
SOAK_MINUTES ?= 20
SOAK_FAULT_PERCENT ?= 2
FAULT_STEP ?= 1
FAULT_FIRST ?= 1

export BUILD_DIR

.PHONY: help run check check-harness soak faults shell build bench bench-modules patch lint docs clean

help:
	@sed -n 's/^#   //p' Makefile

run:
	$(VMTEST) -c $(CONFIG) -- $(SELFTESTS)/demo.sh

# Two boots: tests that rewrite code under load need single-threaded TCG.
check:
	tools/testing/selftests/livepatch/check.sh $(CONFIG) $(SUITES)

check-harness:
	tools/testing/selftests/livepatch/check-harness.sh $(if $(filter command line,$(origin CONFIG)),$(CONFIG),debug)

# The guest gets the soak's time plus the boot and the final checks.  It
# rewrites code under load: single-threaded TCG, as check.sh explains.
soak:
	VMTEST_TCG_THREAD=single VMTEST_TIMEOUT=$$(( $(SOAK_MINUTES) * 60 + 1800 )) \
		$(VMTEST) -c debug -- \
		env SOAK_MINUTES=$(SOAK_MINUTES) SOAK_FAULT_PERCENT=$(SOAK_FAULT_PERCENT) \
		$(SELFTESTS)/soak.sh

# A sample of make check's again: FAULT_STEP=7 FAULT_FIRST=3, say.
faults:
	VMTEST_TIMEOUT=7200 $(VMTEST) -c debug -- \
		env FAULT_STEP=$(FAULT_STEP) FAULT_FIRST=$(FAULT_FIRST) \
		$(SELFTESTS)/test-faults.sh

shell:
	$(VMTEST) -c $(CONFIG) -s

build:
	$(VMTEST) -c $(CONFIG) -b

bench:
	tools/testing/selftests/livepatch/bench/bench.sh

bench-modules:
	tools/testing/selftests/livepatch/bench/bench.sh -b

patch:
	@mkdir -p $(BUILD_DIR)
	tools/testing/selftests/livepatch/make-patch.sh $(BUILD_DIR)/livepatch.patch

lint:
	tools/testing/selftests/livepatch/lint.sh

docs:
	tools/testing/selftests/livepatch/build-docs.sh

clean:
	rm -rf $(BUILD_DIR)
