#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Harness self-test (debug kernel): kmemleak switched off must fail the
# run, since leaks would go unseen.

[[ -e /sys/kernel/debug/kmemleak ]] || exit 0
echo off >/sys/kernel/debug/kmemleak
