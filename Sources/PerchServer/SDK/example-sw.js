// The example site's own service worker: all it needs for Perch is this line.
// (Served by Perch at /sdk/example-sw.js so /sdk/example.html works out of the box.)
importScripts('perch-sw.js');
