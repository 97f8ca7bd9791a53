#!/usr/bin/env node
import '../dist/cli/capscope.js';
