package org.netstack4j.lab;
class Scratch {
    public static void main(String[] a) throws Exception {
        LabRun r = Fixtures.handshakeRun();
        if (a[0].equals("svg")) { java.nio.file.Files.writeString(java.nio.file.Path.of(a[2]), SvgLadder.render(r, Lang.parse(a[1]))); return; }
        if (a[0].equals("json")) { System.out.println(JsonRun.render(r)); return; }
        System.out.println(TextLadder.render(r, TextLadder.Options.defaults().withLang(Lang.parse(a[0])).withAscii(a.length > 1)));
    }
}
