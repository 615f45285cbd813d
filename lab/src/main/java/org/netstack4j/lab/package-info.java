/** Seed scenarios, ladder diagrams (text, SVG, JSON) and header explanations. */
package org.netstack4j.lab;
