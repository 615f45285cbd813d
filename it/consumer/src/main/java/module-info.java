/** A program that uses netstack4j as a library, on the module path. */
module org.netstack4j.it.consumer {
    requires org.netstack4j.javanet;
}
