#!/usr/bin/env node
// The modelpool command. A plain file, present before any build, so npm can link it at install time.
import "../dist/bin.js";
