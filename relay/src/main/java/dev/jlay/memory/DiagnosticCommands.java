package dev.jlay.memory;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** Runs HotSpot diagnostic commands (what jcmd runs) in-process through the DiagnosticCommand MBean. */
public final class DiagnosticCommands {
    private static final String[] SIGNATURE = {String[].class.getName()};
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final ObjectName name;

    public DiagnosticCommands() {
        try {
            name = new ObjectName("com.sun.management:type=DiagnosticCommand");
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code operation} is the MBean form of the command, e.g. vmNativeMemory for VM.native_memory. */
    public String run(String operation, String arguments) {
        try {
            Object out = server.invoke(name, operation, new Object[]{new String[]{arguments}}, SIGNATURE);
            return out == null ? "" : out.toString();
        } catch (JMException e) {
            throw new IllegalStateException("diagnostic command " + operation + " failed: " + e.getMessage(), e);
        }
    }
}
